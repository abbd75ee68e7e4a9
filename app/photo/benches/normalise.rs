//! Time and peak memory of normalising a 12-megapixel camera photo (`42_IndexError.jpg`).
//!
//! A plain benchmark binary rather than criterion, because memory matters as much as time on
//! a cheap phone and criterion measures only time. Run with `cargo bench -p peihu-photo`; pin
//! it to one core with `taskset -c 0` to see the single-core figure (normalisation runs on one
//! thread anyway). Targets: under 400 ms a run and under 150 MB peak resident memory.

use std::time::{Duration, Instant};

use peihu_photo::{Limits, normalise};

const RUNS: usize = 10;
const PHOTO: &str = "42_IndexError.jpg";

fn main() {
    let path =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/photos/42_IndexError.jpg");
    let bytes = std::fs::read(path).unwrap_or_else(|error| {
        panic!("the photo fixtures in ../shared/data/photos are missing ({path}: {error})")
    });
    let resident_before = peak_resident_kib();
    let cpu_before = cpu_time();

    let mut times = Vec::with_capacity(RUNS);
    let mut last = None;
    for _ in 0..RUNS {
        let started = Instant::now();
        let photo = normalise(&bytes, &Limits::default()).expect("the benchmark photo normalises");
        times.push(started.elapsed());
        last = Some(photo);
    }

    let cpu = cpu_time().zip(cpu_before).map(|(after, before)| after - before);

    let photo = last.expect("at least one run");
    println!("normalise {PHOTO} ({} bytes) -> {}x{}", bytes.len(), photo.width, photo.height);
    report_times(&mut times);
    match cpu {
        Some(cpu) => println!("CPU time per run: {:.1} ms", ms(cpu) / RUNS as f64),
        None => println!("CPU time per run: unavailable (no /proc/self/stat)"),
    }
    report_memory(resident_before, peak_resident_kib());
}

fn report_times(times: &mut [Duration]) {
    times.sort();
    let total: Duration = times.iter().sum();
    let mean = total / u32::try_from(times.len()).expect("few runs");
    println!(
        "time per run over {} runs: min {:.1} ms, median {:.1} ms, mean {:.1} ms, max {:.1} ms",
        times.len(),
        ms(times[0]),
        ms(times[times.len() / 2]),
        ms(mean),
        ms(times[times.len() - 1]),
    );
}

fn report_memory(before: Option<u64>, after: Option<u64>) {
    match (before, after) {
        (Some(before), Some(after)) => println!(
            "peak resident memory (VmHWM): {:.1} MiB for the whole process, {:.1} MiB before \
             the first run",
            mib(after),
            mib(before)
        ),
        _ => println!("peak resident memory: unavailable (no /proc/self/status)"),
    }
}

/// The process's peak resident set size in KiB, from Linux's /proc/self/status.
fn peak_resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// User plus system CPU time of this process so far, from Linux's /proc/self/stat (in clock
/// ticks, 100 a second on Linux), so that other programs on the machine do not count.
fn cpu_time() -> Option<Duration> {
    const TICKS_PER_SECOND: u64 = 100;
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis((user + system) * 1000 / TICKS_PER_SECOND))
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}
