//! Speed of a whole batch of the north Cumbria baseline (five years): 8
//! replications simulated and reduced to their records, on 1 and on 2
//! worker threads. The two figures give the parallel efficiency of a batch
//! (time on 1 thread / (2 × time on 2 threads)); `iccsim batch -n 1000`
//! adds the checkpoint and the summaries to the same work
//! (docs/performance.md).
//!
//! Run: `cargo bench --bench batch`.

use std::convert::Infallible;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group};
use iccsim::experiment::run_records;

const REPLICATIONS: u64 = 8;

fn batch(c: &mut Criterion) {
    let network = iccsim::scenario::default_network().expect("embedded scenario is valid");
    let todo: Vec<u64> = (0..REPLICATIONS).collect();
    let keep = |_: &iccsim::experiment::record::Record| Ok::<(), Infallible>(());
    let mut group = c.benchmark_group("north_cumbria_baseline_batch");
    group.throughput(Throughput::Elements(REPLICATIONS));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(30));
    for threads in [1usize, 2] {
        group.bench_function(format!("8_replications_{threads}_threads"), |b| {
            b.iter(|| {
                run_records(black_box(&network), 2026, &todo, Some(threads), &keep).expect("runs")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, batch);

// criterion_main!, with the report's font registered first: plotters draws
// criterion's charts too, and with the embedded font enabled for this crate
// it cannot lay out text until a font is registered.
fn main() {
    iccsim::report::board::charts::register_fonts();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
