//! Speed of one replication of the reference network (`base` preset) at
//! scales 1, 10 and 100 (reference-network.md, section 3: arrival rate and
//! both capacities multiplied by K). Throughput is reported in patients
//! (arrivals, warm-up included, ~17,000 K per replication), so the cost per
//! patient at each scale can be compared directly.
//!
//! Run: `cargo bench --bench reference_network`; side by side with the
//! SimPy and Ciw peers: `scripts/bench-peers`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group};
use iccsim::model::{Capacity, Network, simulate};

/// The base preset scaled by k.
pub fn scaled(k: u32) -> Network {
    let mut network = iccsim::scenario::reference_network().expect("embedded scenario is valid");
    for service in &mut network.services {
        if let Capacity::Limited(c) = service.capacity {
            service.capacity = Capacity::Limited(c * k);
        }
    }
    for patient_type in &mut network.patient_types {
        patient_type.rate_per_day *= f64::from(k);
    }
    network
}

fn reference_network(c: &mut Criterion) {
    let mut group = c.benchmark_group("reference_network_base");
    for k in [1u32, 10, 100] {
        let network = scaled(k);
        let patients = simulate(&network, 1, 0, &mut ())
            .expect("runs")
            .system
            .entered_total;
        group.throughput(Throughput::Elements(patients));
        group.sample_size(if k == 100 { 10 } else { 20 });
        group.measurement_time(Duration::from_secs(if k == 100 { 20 } else { 5 }));
        group.bench_function(format!("scale_{k}"), |b| {
            b.iter(|| simulate(black_box(&network), 1, 0, &mut ()).expect("runs"))
        });
    }
    group.finish();
}

criterion_group!(benches, reference_network);

// criterion_main!, with the report's font registered first: plotters draws
// criterion's charts too, and with the embedded font enabled for this crate
// it cannot lay out text until a font is registered.
fn main() {
    iccsim::report::board::charts::register_fonts();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
