use iccsim::model::{metric_catalog, system_metrics};
fn main() {
    for f in ["pure-critical", "stress", ""] {
        let path = if f.is_empty() { "scenarios/reference-network.toml".to_string() } else { format!("scenarios/reference-network-{f}.toml") };
        let net = iccsim::scenario::load_file(std::path::Path::new(&path)).unwrap();
        let t = std::time::Instant::now();
        let out = iccsim::experiment::run(&net, &iccsim::experiment::Plan { seed: 1, replications: 0..10, threads: Some(1), keep_episodes: false }).unwrap();
        let el = t.elapsed().as_secs_f64();
        let cat = metric_catalog(&net.run.occupancy_thresholds);
        let pats: f64 = out.iter().map(|o| o.result.system.entered_total as f64).sum();
        println!("{path}: {:.3}s, {:.0} patients/s", el, pats / el);
        for name in ["loss_share", "occupancy_mean", "blocked_mean", "delayed_days_per_admission", "delayed_days_per_onward_request", "admissions_per_day", "departures_per_day"] {
            let m = cat.iter().find(|m| m.name == name).unwrap();
            let v: Vec<f64> = out.iter().map(|o| m.value(&o.result.services[0], 365.0)).collect();
            let s = iccsim::stats::Summary::of(&v);
            println!("  acute {name}: {:.6} ± {:.6}", s.mean, s.half_width());
        }
        let m = cat.iter().find(|m| m.name == "utilisation").unwrap();
        let v: Vec<f64> = out.iter().map(|o| m.value(&o.result.services[1], 365.0)).collect();
        println!("  comm util {:.5}", iccsim::stats::Summary::of(&v).mean);
        for sm in system_metrics() { if sm.name.ends_with("total") || sm.name == "in_system_at_end" { print!(" {}={}", sm.name, sm.value(&out[0].result)); } }
        println!();
    }
}
