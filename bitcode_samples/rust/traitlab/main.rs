//! traitlab: a Rust program whose whole-program bitcode (fat LTO, standard
//! library included) exercises dyn and generic traits, generics, closures,
//! threads with deterministic joins, channels, and a caught panic.  Its
//! stdout is deterministic.

use std::collections::BTreeMap;
use std::fmt;
use std::panic;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;

// --- traits: dynamic and static dispatch -----------------------------------

trait Shape: fmt::Debug + Send + Sync {
    fn name(&self) -> String;
    fn area(&self) -> f64;
    fn scale(&self, k: f64) -> Box<dyn Shape>;
    fn describe(&self) -> String {
        format!("{} area={:.4}", self.name(), self.area())
    }
}

#[derive(Debug, Clone)]
struct Circle {
    r: f64,
}

#[derive(Debug, Clone)]
struct Rect {
    w: f64,
    h: f64,
}

#[derive(Debug, Clone)]
struct Poly {
    pts: Vec<(f64, f64)>,
}

impl Shape for Circle {
    fn name(&self) -> String {
        "circle".into()
    }
    fn area(&self) -> f64 {
        std::f64::consts::PI * self.r * self.r
    }
    fn scale(&self, k: f64) -> Box<dyn Shape> {
        Box::new(Circle { r: self.r * k })
    }
}

impl Shape for Rect {
    fn name(&self) -> String {
        if self.w == self.h { "square".into() } else { "rect".into() }
    }
    fn area(&self) -> f64 {
        self.w * self.h
    }
    fn scale(&self, k: f64) -> Box<dyn Shape> {
        Box::new(Rect { w: self.w * k, h: self.h * k })
    }
    fn describe(&self) -> String {
        format!("{} {}x{} area={:.4}", self.name(), self.w, self.h, self.area())
    }
}

impl Shape for Poly {
    fn name(&self) -> String {
        format!("poly{}", self.pts.len())
    }
    fn area(&self) -> f64 {
        // Shoelace formula.
        let n = self.pts.len();
        let twice: f64 = (0..n)
            .map(|i| {
                let (x1, y1) = self.pts[i];
                let (x2, y2) = self.pts[(i + 1) % n];
                x1 * y2 - x2 * y1
            })
            .sum();
        twice.abs() / 2.0
    }
    fn scale(&self, k: f64) -> Box<dyn Shape> {
        Box::new(Poly { pts: self.pts.iter().map(|&(x, y)| (x * k, y * k)).collect() })
    }
}

// A generic trait with an associated type, implemented for several types.
trait Monoid: Sized + Clone {
    fn zero() -> Self;
    fn combine(&self, other: &Self) -> Self;
}

impl Monoid for i64 {
    fn zero() -> Self {
        0
    }
    fn combine(&self, o: &Self) -> Self {
        self.wrapping_add(*o)
    }
}

impl Monoid for String {
    fn zero() -> Self {
        String::new()
    }
    fn combine(&self, o: &Self) -> Self {
        format!("{}{}", self, o)
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Matrix2([[i64; 2]; 2]);

impl Monoid for Matrix2 {
    fn zero() -> Self {
        Matrix2([[1, 0], [0, 1]]) // the multiplicative identity
    }
    fn combine(&self, o: &Self) -> Self {
        let (a, b) = (&self.0, &o.0);
        let m = |i: usize, j: usize| (a[i][0] * b[0][j] + a[i][1] * b[1][j]) % 1_000_000_007;
        Matrix2([[m(0, 0), m(0, 1)], [m(1, 0), m(1, 1)]])
    }
}

fn concat_all<M: Monoid>(items: &[M]) -> M {
    items.iter().fold(M::zero(), |acc, x| acc.combine(x))
}

fn power<M: Monoid>(base: &M, mut e: u64) -> M {
    let (mut acc, mut b) = (M::zero(), base.clone());
    while e > 0 {
        if e & 1 == 1 {
            acc = acc.combine(&b);
        }
        b = b.combine(&b);
        e >>= 1;
    }
    acc
}

// A generic container with trait-bounded methods.
struct Ledger<K: Ord + fmt::Display, V> {
    entries: BTreeMap<K, Vec<V>>,
}

impl<K: Ord + fmt::Display + Clone, V: Copy + Into<f64>> Ledger<K, V> {
    fn new() -> Self {
        Ledger { entries: BTreeMap::new() }
    }
    fn add(&mut self, k: K, v: V) {
        self.entries.entry(k).or_default().push(v);
    }
    fn report(&self) -> Vec<String> {
        self.entries
            .iter()
            .map(|(k, vs)| {
                let total: f64 = vs.iter().map(|&v| v.into()).sum();
                format!("{}: n={} total={:.2} mean={:.3}", k, vs.len(), total, total / vs.len() as f64)
            })
            .collect()
    }
}

// --- errors and panics -------------------------------------------------------

#[derive(Debug)]
enum CalcError {
    DivByZero(i64),
    Overflow { op: &'static str, a: i64, b: i64 },
    Parse(String),
}

impl fmt::Display for CalcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CalcError::DivByZero(a) => write!(f, "{} / 0", a),
            CalcError::Overflow { op, a, b } => write!(f, "{} {} {} overflows", a, op, b),
            CalcError::Parse(s) => write!(f, "cannot parse {:?}", s),
        }
    }
}

impl std::error::Error for CalcError {}

fn eval_rpn(text: &str) -> Result<i64, Box<dyn std::error::Error>> {
    let mut stack: Vec<i64> = Vec::new();
    for tok in text.split_whitespace() {
        let op: Option<fn(i64, i64) -> Result<i64, CalcError>> = match tok {
            "+" => Some(|a, b| a.checked_add(b).ok_or(CalcError::Overflow { op: "+", a, b })),
            "-" => Some(|a, b| a.checked_sub(b).ok_or(CalcError::Overflow { op: "-", a, b })),
            "*" => Some(|a, b| a.checked_mul(b).ok_or(CalcError::Overflow { op: "*", a, b })),
            "/" => Some(|a, b| if b == 0 { Err(CalcError::DivByZero(a)) } else { Ok(a / b) }),
            _ => None,
        };
        match op {
            Some(f) => {
                let b = stack.pop().ok_or_else(|| CalcError::Parse(text.to_string()))?;
                let a = stack.pop().ok_or_else(|| CalcError::Parse(text.to_string()))?;
                stack.push(f(a, b)?);
            }
            None => stack.push(tok.parse::<i64>()?),
        }
    }
    match stack.as_slice() {
        [v] => Ok(*v),
        _ => Err(Box::new(CalcError::Parse(text.to_string()))),
    }
}

fn checked_index(v: &[u32], i: usize) -> u32 {
    v[i] // panics with an index-out-of-bounds message when i is too large
}

fn must_be_even(n: u32) -> u32 {
    if n % 2 != 0 {
        panic!("{} is odd", n);
    }
    n / 2
}

fn panic_message(e: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = e.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = e.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic>".to_string()
    }
}

// --- threads -----------------------------------------------------------------

static SPAWNED: AtomicUsize = AtomicUsize::new(0);

fn collatz_len(mut n: u64) -> u32 {
    let mut steps = 0;
    while n != 1 {
        n = if n % 2 == 0 { n / 2 } else { 3 * n + 1 };
        steps += 1;
    }
    steps
}

fn threaded_work(shapes: Arc<Vec<Box<dyn Shape>>>) -> Vec<String> {
    let totals = Arc::new(Mutex::new(BTreeMap::new()));
    let (tx, rx) = mpsc::channel::<(usize, u64, u32)>();
    let mut handles = Vec::new();
    for id in 0..4usize {
        let tx = tx.clone();
        let totals = Arc::clone(&totals);
        let shapes = Arc::clone(&shapes);
        handles.push(thread::spawn(move || {
            SPAWNED.fetch_add(1, Ordering::SeqCst);
            let lo = 1 + id as u64 * 5000;
            let (best, len) = (lo..lo + 5000).map(|n| (n, collatz_len(n))).max_by_key(|&(n, l)| (l, n)).unwrap();
            tx.send((id, best, len)).unwrap();
            let area: f64 = shapes.iter().map(|s| s.scale(id as f64 + 1.0).area()).sum();
            totals.lock().unwrap().insert(id, format!("{:.3}", area));
            if id == 3 {
                panic!("worker {} gives up", id);
            }
            id * 10
        }));
    }
    drop(tx);
    let mut out = Vec::new();
    let mut results: Vec<(usize, u64, u32)> = rx.iter().collect();
    results.sort();
    for (id, best, len) in results {
        out.push(format!("worker {}: longest collatz {} ({} steps)", id, best, len));
    }
    for (i, h) in handles.into_iter().enumerate() {
        match h.join() {
            Ok(v) => out.push(format!("join {} -> {}", i, v)),
            Err(e) => out.push(format!("join {} -> panicked: {}", i, panic_message(&*e))),
        }
    }
    for (id, area) in totals.lock().unwrap().iter() {
        out.push(format!("scaled area sum x{}: {}", id + 1, area));
    }
    out.push(format!("spawned {}", SPAWNED.load(Ordering::SeqCst)));
    out
}

fn main() {
    // Panics are expected below: keep their default report off stderr.
    panic::set_hook(Box::new(|_| {}));

    println!("== shapes (dyn) ==");
    let shapes: Vec<Box<dyn Shape>> = vec![
        Box::new(Circle { r: 1.5 }),
        Box::new(Rect { w: 3.0, h: 4.5 }),
        Box::new(Rect { w: 2.0, h: 2.0 }),
        Box::new(Poly { pts: vec![(0.0, 0.0), (4.0, 0.0), (4.0, 3.0), (1.0, 5.0)] }),
    ];
    for s in &shapes {
        println!("{}", s.describe());
    }
    let mut by_area: Vec<&Box<dyn Shape>> = shapes.iter().collect();
    by_area.sort_by(|a, b| b.area().partial_cmp(&a.area()).unwrap());
    println!("largest first: {:?}", by_area.iter().map(|s| s.name()).collect::<Vec<_>>());
    println!("debug: {:?}", shapes[3]);

    println!("== generics ==");
    println!("sum {}", concat_all(&[3i64, 4, 5, -2]));
    println!("concat {:?}", concat_all(&["ab".to_string(), "cd".into(), "ef".into()]));
    let fib = power(&Matrix2([[1, 1], [1, 0]]), 90);
    println!("fib(90) mod p = {} via {:?}", fib.0[0][1], fib);
    println!("62 x 2 = {}", power(&2i64, 62));
    println!("repeat {}", power(&"xy".to_string(), 5));
    let mut ledger: Ledger<&str, f32> = Ledger::new();
    for (i, word) in "the quick brown fox jumps over the lazy dog the end".split(' ').enumerate() {
        ledger.add(word, i as f32 * 1.5);
    }
    for line in ledger.report() {
        println!("{}", line);
    }
    let mut ints: Ledger<String, u8> = Ledger::new();
    for b in "hello, world".bytes() {
        ints.add(format!("{}", b % 3), b);
    }
    println!("{:?}", ints.report());

    println!("== errors ==");
    for text in ["3 4 + 2 *", "1 0 /", "9223372036854775807 1 +", "1 +", "12 x *", "5 1 2 + 4 * + 3 -"] {
        match eval_rpn(text) {
            Ok(v) => println!("{:?} = {}", text, v),
            Err(e) => println!("{:?} -> error: {}", text, e),
        }
    }

    println!("== panics ==");
    let data = vec![10u32, 20, 30];
    for i in [1usize, 7] {
        let r = panic::catch_unwind(|| checked_index(&data, i));
        match r {
            Ok(v) => println!("index {} -> {}", i, v),
            Err(e) => println!("index {} -> caught: {}", i, panic_message(&*e)),
        }
    }
    for n in [8u32, 9] {
        match panic::catch_unwind(move || must_be_even(n)) {
            Ok(v) => println!("half of {} is {}", n, v),
            Err(e) => println!("caught: {}", panic_message(&*e)),
        }
    }
    let nested = panic::catch_unwind(|| {
        let inner = panic::catch_unwind(|| -> u8 { panic!("inner") });
        println!("inner caught: {}", inner.is_err());
        std::panic::resume_unwind(Box::new("resumed".to_string()));
    });
    println!("outer caught: {}", panic_message(&*nested.unwrap_err()));

    println!("== threads ==");
    for line in threaded_work(Arc::new(shapes)) {
        println!("{}", line);
    }
}
