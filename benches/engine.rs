//! Speed of the event queue alone: the classic "hold" model. N events are
//! pending; each step pops the earliest and schedules one new event a
//! random time later (exponential, mean 5 days, like a stay), so N stays
//! constant. Reported in events (one pop and one schedule) per second at
//! N = 1,000, 10,000 and 100,000 pending: a flat rate across N is the
//! "cost per event does not grow with scale" property the simulator relies
//! on (docs/performance.md).
//!
//! Run: `cargo bench --bench engine`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group};
use iccsim::engine::{EventQueue, Priority, RandomStreams, SimTime, Stream};
use rand::RngExt;

const STEPS: u64 = 200_000;
const MEAN_GAP_DAYS: f64 = 5.0;

fn exp(rng: &mut Stream) -> f64 {
    -MEAN_GAP_DAYS * (1.0 - rng.random::<f64>()).ln()
}

/// A queue holding `pending` events spread as in steady state.
fn filled(pending: usize, rng: &mut Stream) -> EventQueue<u32> {
    let mut queue = EventQueue::new();
    for i in 0..pending {
        let at = SimTime::new(exp(rng)).expect("finite");
        queue
            .schedule(at, Priority((i % 4) as u8), i as u32)
            .expect("not in the past");
    }
    queue
}

fn hold(queue: &mut EventQueue<u32>, rng: &mut Stream) -> u64 {
    let mut checksum = 0u64;
    for _ in 0..STEPS {
        let (now, event) = queue.pop().expect("never empty");
        checksum = checksum.wrapping_add(u64::from(event));
        let at = SimTime::new(now.days() + exp(rng)).expect("finite");
        queue
            .schedule(at, Priority((event % 4) as u8), event)
            .expect("not in the past");
    }
    checksum
}

fn engine(c: &mut Criterion) {
    let mut group = c.benchmark_group("event_queue_hold");
    group.throughput(Throughput::Elements(STEPS));
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(5));
    for pending in [1_000usize, 10_000, 100_000] {
        group.bench_function(format!("pending_{pending}"), |b| {
            b.iter_batched(
                || {
                    let mut rng = RandomStreams::new(1, 0).stream("bench/hold");
                    let queue = filled(pending, &mut rng);
                    (queue, rng)
                },
                |(mut queue, mut rng)| black_box(hold(&mut queue, &mut rng)),
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, engine);

// criterion_main!, with the report's font registered first: plotters draws
// criterion's charts too, and with the embedded font enabled for this crate
// it cannot lay out text until a font is registered.
fn main() {
    iccsim::report::board::charts::register_fonts();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
