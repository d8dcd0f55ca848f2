//! Measures iccsim on the reference network the way the Python peers
//! measure themselves (reference-network.md, section 5): replications run
//! one after another on one thread; `patients` counts every arrival,
//! warm-up included; wall time covers model build, simulation and
//! statistics. Prints one JSON line. Used by `scripts/bench-peers`.
//!
//!     cargo run --release --example reference_speed -- --scale 10 --replications 5

use std::time::Instant;

use iccsim::model::{Capacity, simulate};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str, default: u32| -> u32 {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let scale = value("--scale", 1);
    let replications = value("--replications", 10);
    let started = Instant::now();
    let mut network = match iccsim::scenario::reference_network() {
        Ok(n) => n,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(3);
        }
    };
    for service in &mut network.services {
        if let Capacity::Limited(c) = service.capacity {
            service.capacity = Capacity::Limited(c * scale);
        }
    }
    for patient_type in &mut network.patient_types {
        patient_type.rate_per_day *= f64::from(scale);
    }
    let mut patients = 0u64;
    let mut events = 0u64;
    for replication in 0..u64::from(replications) {
        match simulate(&network, 1, replication, &mut ()) {
            Ok(result) => {
                patients += result.system.entered_total;
                events += result.events_processed;
            }
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
    }
    let wall = started.elapsed().as_secs_f64();
    println!(
        "{{\"peer\": \"iccsim\", \"scenario\": \"base\", \"scale\": {scale}, \"replications\": {replications}, \"wall_s\": {wall:.4}, \"patients\": {patients}, \"patients_per_s\": {:.1}, \"engine_events\": {events}}}",
        patients as f64 / wall
    );
}
