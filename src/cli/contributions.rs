//! `compare --by-lever`: placeholder.
