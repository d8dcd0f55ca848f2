//! Analytic results of queueing theory used as known answers.
//!
//! Offered load `a` = arrival rate × mean service time, in Erlangs.

/// Erlang B: the probability that an arrival to an M/G/c/c loss system with
/// offered load `a` finds every server busy. Stable recursion
/// B(0) = 1, B(k) = a B(k−1) / (k + a B(k−1)).
pub fn erlang_b(servers: u32, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=servers {
        b = a * b / (f64::from(k) + a * b);
    }
    b
}

/// Erlang C: the probability that an arrival to an M/M/c queue waits;
/// 1 when the load is at or above the number of servers.
pub fn erlang_c(servers: u32, a: f64) -> f64 {
    let c = f64::from(servers);
    if a >= c {
        return 1.0;
    }
    let b = erlang_b(servers, a);
    b / (1.0 - (a / c) * (1.0 - b))
}

/// Mean wait in the queue of an M/M/c system with arrival rate `lambda` and
/// service rate `mu` per server (same time unit); infinite if unstable.
pub fn mmc_mean_wait(servers: u32, lambda: f64, mu: f64) -> f64 {
    let a = lambda / mu;
    if a >= f64::from(servers) {
        return f64::INFINITY;
    }
    erlang_c(servers, a) / (f64::from(servers) * mu - lambda)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erlang_b_matches_the_reference_table() {
        // ../shared/benchmarks/reference-network.md, section 6.
        let cases = [
            (300, 240.0, 2.222950e-05),
            (240, 240.0, 4.977713e-02),
            (2400, 2400.0, 1.611126e-02),
            (24000, 24000.0, 5.132682e-03),
            (250, 240.0, 2.727836e-02),
            (3000, 2400.0, 5.116671e-33),
        ];
        for (c, a, expected) in cases {
            let b = erlang_b(c, a);
            assert!(
                ((b - expected) / expected).abs() < 1e-6,
                "B({c}, {a}) = {b}, expected {expected}"
            );
        }
        assert_eq!(erlang_b(0, 3.0), 1.0);
        assert!((erlang_b(1, 1.0) - 0.5).abs() < 1e-15);
    }

    #[test]
    fn erlang_c_textbook_values() {
        // M/M/1: P(wait) = rho, Wq = rho / (mu - lambda).
        assert!((erlang_c(1, 0.8) - 0.8).abs() < 1e-12);
        assert!((mmc_mean_wait(1, 0.8, 1.0) - 4.0).abs() < 1e-12);
        // M/M/2 with a = 1: C = 1/3.
        assert!((erlang_c(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(mmc_mean_wait(2, 3.0, 1.0), f64::INFINITY);
    }
}
