// rustcoder's test runner, compiled into every batch crate as `mod __rc`.
//
// `BINARY --rc-run MODULE` runs the tests of one sample module in this process. Before any sample code
// runs it reads a one-line nonce from stdin; every report line it writes to fd 3 starts with that nonce,
// so text a sample prints (even to fd 3) cannot pass for a result:
//   NONCE start TEST
//   NONCE pass TEST MICROS
//   NONCE fail TEST MICROS KIND LOCATION HEX(MESSAGE)     KIND: panic | error | no_panic
//   NONCE done
// A missing `done` means the process ended inside a test (exit, abort, signal, limit).
//
// std seeds every HashMap's and HashSet's hasher from libc's `getrandom`; the definition below replaces
// it in the batch binary with a fixed stream, so an answer whose result depends on iteration order
// passes or fails the same way in every run and batch (as PYTHONHASHSEED=0 does for Python).
#![allow(dead_code)]

use std::fmt::Debug;
use std::fs::File;
use std::io::{BufRead, Write};
use std::os::unix::io::FromRawFd;
use std::panic;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

pub type TestFn = fn() -> Result<(), String>;
pub type Suite = &'static [(&'static str, TestFn, bool)];

/// What a test function returned, as libtest accepts it: `()` or `Result<(), E: Debug>`.
pub trait Outcome {
    fn outcome(self) -> Result<(), String>;
}

impl Outcome for () {
    fn outcome(self) -> Result<(), String> {
        Ok(())
    }
}

impl<E: Debug> Outcome for Result<(), E> {
    fn outcome(self) -> Result<(), String> {
        self.map_err(|e| format!("Error: {:?}", e))
    }
}

static STREAM: AtomicU64 = AtomicU64::new(0);

/// `getrandom(2)` as libc declares it, filling `buffer` from SplitMix64 in a fixed order.
///
/// # Safety
/// `buffer` must be valid for `length` bytes of writes.
#[no_mangle]
pub unsafe extern "C" fn getrandom(buffer: *mut u8, length: usize, _flags: u32) -> isize {
    const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..length {
        let mut z = STREAM.fetch_add(GOLDEN, Ordering::Relaxed).wrapping_add(GOLDEN);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        *buffer.add(i) = (z ^ (z >> 31)) as u8;
    }
    length as isize
}

static LAST_PANIC: Mutex<Option<(String, String)>> = Mutex::new(None);

fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{:02x}", b)).collect()
}

fn payload_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        String::from("Box<dyn Any>")
    }
}

pub fn main(suites: &[(&str, Suite)]) {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 2 && args[1] == "--rc-list" {
        for (name, tests) in suites {
            println!("{} {}", name, tests.len());
        }
        return;
    }
    if args.len() != 3 || args[1] != "--rc-run" {
        eprintln!("usage: {} --rc-run MODULE | --rc-list", args[0]);
        std::process::exit(2);
    }
    let tests = match suites.iter().find(|(name, _)| *name == args[2]) {
        Some((_, tests)) => *tests,
        None => {
            eprintln!("no module {}", args[2]);
            std::process::exit(2);
        }
    };
    let mut nonce = String::new();
    if std::io::stdin().lock().read_line(&mut nonce).is_err() || nonce.trim().is_empty() {
        eprintln!("no nonce on stdin");
        std::process::exit(2);
    }
    let nonce = nonce.trim().to_string();
    // SAFETY: the sandbox driver opens fd 3 as this process's report pipe.
    let mut report = unsafe { File::from_raw_fd(3) };
    let default_hook = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        let message = payload_text(info.payload());
        let location = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
            .unwrap_or_else(|| String::from("?"));
        *LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()) = Some((message, location));
        default_hook(info);
    }));
    for (name, test, should_panic) in tests.iter() {
        let _ = writeln!(report, "{} start {}", nonce, name);
        let _ = report.flush();
        *LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()) = None;
        let started = Instant::now();
        let result = panic::catch_unwind(*test);
        let micros = started.elapsed().as_micros();
        let line = match (result, *should_panic) {
            (Ok(Ok(())), false) | (Err(_), true) => format!("{} pass {} {}", nonce, name, micros),
            (Ok(Ok(())), true) => format!("{} fail {} {} no_panic ? {}", nonce, name, micros, hex("did not panic")),
            (Ok(Err(message)), _) => format!("{} fail {} {} error ? {}", nonce, name, micros, hex(&message)),
            (Err(payload), false) => {
                let (message, location) = LAST_PANIC
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .take()
                    .unwrap_or_else(|| (payload_text(&*payload), String::from("?")));
                format!("{} fail {} {} panic {} {}", nonce, name, micros, location, hex(&message))
            }
        };
        let _ = writeln!(report, "{}", line);
        let _ = report.flush();
    }
    let _ = writeln!(report, "{} done", nonce);
    let _ = report.flush();
    std::process::exit(0);
}
