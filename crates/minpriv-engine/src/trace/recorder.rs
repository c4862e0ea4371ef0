//! Recording the two tracepoints for one cgroup with `perf_event_open`.
//!
//! Why perf events and not a BPF program: perf filters by cgroup in the kernel
//! (`PERF_FLAG_PID_CGROUP`, descendants included), needs no compiler for a BPF target (none
//! that works on a stable toolchain can be installed here) and no kprobes, only the two
//! tracepoints. The cost is one ring buffer per CPU and tracepoint that a thread drains while
//! the run goes on; a full buffer loses events, which the kernel counts and the trace reports.

use super::evidence::{EventKind, TraceEvent};
use super::tracefs::{Field, Tracepoints};
use perf_event::data::Record;
use perf_event::events::Tracepoint;
use perf_event::{Builder, SampleFlag, Sampler};
use std::fs::File;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

/// Bytes of ring buffer per CPU and tracepoint.
const BUFFER: usize = 4 << 20;

/// What was recorded.
#[derive(Debug, Default)]
pub(crate) struct Recorded {
    pub events: Vec<TraceEvent>,
    /// Events the kernel dropped (full buffer) or throttled.
    pub lost: u64,
}

/// A recording in progress; [`Recording::finish`] stops it.
pub(crate) struct Recording {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Recorded>>,
}

impl Recording {
    /// Stops recording and returns what was recorded.
    pub fn finish(mut self) -> Result<Recorded, String> {
        self.stop.store(true, Ordering::SeqCst);
        self.thread
            .take()
            .expect("finished once")
            .join()
            .map_err(|_| "the trace reader panicked".to_string())
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Which tracepoint a sampler reads, and where its fields are.
#[derive(Clone, Copy)]
enum Reads {
    Capability { cap: Field, ret: Field, cred: Field },
    Syscall { id: Field, args: Field },
}

fn layout(tp: &Tracepoints) -> Result<[(u64, Reads); 2], String> {
    Ok([
        (
            tp.cap_capable.id,
            Reads::Capability {
                cap: tp.cap_capable.field("cap", 4)?,
                ret: tp.cap_capable.field("ret", 4)?,
                cred: tp.cap_capable.field("cred", 8)?,
            },
        ),
        (
            tp.sys_enter.id,
            Reads::Syscall {
                id: tp.sys_enter.field("id", 8)?,
                args: tp.sys_enter.field("args", 48)?,
            },
        ),
    ])
}

/// The online CPUs (`/sys/devices/system/cpu/online`: `0-3,5`).
fn online_cpus() -> Vec<usize> {
    let text = std::fs::read_to_string("/sys/devices/system/cpu/online").unwrap_or_default();
    let mut cpus = Vec::new();
    for part in text.trim().split(',').filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                if let (Ok(a), Ok(b)) = (a.parse::<usize>(), b.parse::<usize>()) {
                    cpus.extend(a..=b);
                }
            }
            None => cpus.extend(part.parse::<usize>().ok()),
        }
    }
    if cpus.is_empty() {
        cpus.extend(0..std::thread::available_parallelism().map_or(1, |n| n.get()));
    }
    cpus
}

fn open(cgroup: &File, tp: &Tracepoints) -> Result<Vec<(Reads, Sampler)>, String> {
    let layout = layout(tp)?;
    let mut samplers = Vec::new();
    for cpu in online_cpus() {
        for (id, reads) in layout {
            let sampler = Builder::new(Tracepoint::with_id(id))
                .observe_cgroup(cgroup)
                .one_cpu(cpu)
                .sample(SampleFlag::RAW | SampleFlag::TIME | SampleFlag::TID)
                .sample_period(1)
                // Tracepoints fire in the kernel: excluding it would record nothing.
                .include_kernel()
                .build()
                .and_then(|c| c.sampled(BUFFER))
                .map_err(|e| format!("perf_event_open on CPU {cpu}: {e}"))?;
            samplers.push((reads, sampler));
        }
    }
    for (_, s) in &mut samplers {
        s.enable()
            .map_err(|e| format!("enabling a perf event: {e}"))?;
    }
    Ok(samplers)
}

fn read_u(raw: &[u8], f: Field) -> Option<u64> {
    let bytes = raw.get(f.offset..f.offset + f.size)?;
    Some(match f.size {
        4 => u64::from(u32::from_ne_bytes(bytes.try_into().ok()?)),
        8 => u64::from_ne_bytes(bytes.try_into().ok()?),
        _ => return None,
    })
}

fn drain(samplers: &mut [(Reads, Sampler)], out: &mut Recorded) {
    for (reads, sampler) in samplers.iter_mut() {
        while let Some(record) = sampler.next_record() {
            let Ok(parsed) = record.parse_record() else {
                continue;
            };
            match parsed {
                Record::Sample(s) => {
                    let (Some(raw), Some(time), Some(pid)) = (s.raw(), s.time(), s.pid()) else {
                        continue;
                    };
                    let kind = match *reads {
                        Reads::Capability { cap, ret, cred } => {
                            let (Some(c), Some(r), Some(cr)) =
                                (read_u(raw, cap), read_u(raw, ret), read_u(raw, cred))
                            else {
                                continue;
                            };
                            EventKind::Capability {
                                cap: c as u32,
                                granted: r == 0,
                                cred: cr,
                            }
                        }
                        Reads::Syscall { id, args } => {
                            let Some(nr) = read_u(raw, id) else { continue };
                            let arg = |i: usize| {
                                read_u(
                                    raw,
                                    Field {
                                        offset: args.offset + 8 * i,
                                        size: 8,
                                    },
                                )
                                .unwrap_or(0)
                            };
                            EventKind::Syscall {
                                nr,
                                args: [arg(0), arg(1), arg(2)],
                            }
                        }
                    };
                    out.events.push(TraceEvent { time, pid, kind });
                }
                Record::Lost(l) => out.lost += l.lost,
                Record::Throttle(_) => out.lost += 1,
                _ => {}
            }
        }
    }
}

/// Starts recording both tracepoints for `cgroup_dir` and its descendants, on every CPU.
pub(crate) fn start(cgroup_dir: &Path, tp: &Tracepoints) -> Result<Recording, String> {
    let cgroup = File::open(cgroup_dir)
        .map_err(|e| format!("opening the cgroup {}: {e}", cgroup_dir.display()))?;
    let tp = tp.clone();
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = Arc::clone(&stop);
    let (ready, opened) = mpsc::channel();
    let thread = std::thread::spawn(move || {
        let mut samplers = match open(&cgroup, &tp) {
            Ok(s) => {
                let _ = ready.send(Ok(()));
                s
            }
            Err(e) => {
                let _ = ready.send(Err(e));
                return Recorded::default();
            }
        };
        let mut out = Recorded::default();
        while !stopped.load(Ordering::SeqCst) {
            drain(&mut samplers, &mut out);
            std::thread::sleep(Duration::from_millis(2));
        }
        for (_, s) in &mut samplers {
            let _ = s.disable();
        }
        drain(&mut samplers, &mut out);
        out
    });
    match opened.recv() {
        Ok(Ok(())) => Ok(Recording {
            stop,
            thread: Some(thread),
        }),
        Ok(Err(e)) => {
            let _ = thread.join();
            Err(e)
        }
        Err(_) => Err("the trace reader stopped before it started".into()),
    }
}
