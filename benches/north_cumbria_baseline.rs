//! Speed of the whole-system model: one replication of the built-in north
//! Cumbria baseline (8 ICCs, 57 services, 224 patient types, 120 days of
//! warm-up and a five-year horizon; about 680,000 patients and their
//! census). Throughput is in patients, so it compares with the reference
//! network's cost per patient.
//!
//! Run: `cargo bench --bench north_cumbria_baseline`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group};
use iccsim::model::simulate;

fn baseline(c: &mut Criterion) {
    let network = iccsim::scenario::default_network().expect("embedded scenario is valid");
    let patients = simulate(&network, 1, 0, &mut ())
        .expect("runs")
        .system
        .entered_total;
    let mut group = c.benchmark_group("north_cumbria_baseline");
    group.throughput(Throughput::Elements(patients));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(15));
    group.bench_function("one_replication_5_years", |b| {
        b.iter(|| simulate(black_box(&network), 1, 0, &mut ()).expect("runs"))
    });
    group.finish();
}

criterion_group!(benches, baseline);

// criterion_main!, with the report's font registered first: plotters draws
// criterion's charts too, and with the embedded font enabled for this crate
// it cannot lay out text until a font is registered.
fn main() {
    iccsim::report::board::charts::register_fonts();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
