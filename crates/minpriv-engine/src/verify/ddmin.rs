//! Delta debugging: the smallest subset of a set that still passes a test.
//!
//! [`ddmin`] is a pure, generic function: it knows nothing of containers. The test is a batch
//! oracle, `FnMut(&[Vec<T>]) -> Result<Vec<bool>, E>`: it receives candidate subsets and says
//! for each whether it passes, so that a caller can run the candidates of one batch in parallel.
//!
//! # The variant
//!
//! Zeller and Hildebrandt's ddmin splits the set into `n` chunks, tests the chunks and their
//! complements, and doubles `n` when nothing passes. When the test is monotone (a superset of a
//! passing set passes, as with capabilities: an app that passes with {CHOWN} passes with
//! {CHOWN, KILL}), its doubling step re-tests complements whose answer is already implied; on
//! 3 needed items out of 14 it spends 32 tests on average, more than trying the 14 items one by
//! one. This module keeps ddmin's moves (remove a chunk, keep the complement when it passes,
//! refine the granularity where it fails) but refines only inside the chunks whose removal
//! failed, recursively, halving them:
//!
//! - test the empty set first (an app that needs nothing costs one test);
//! - to reduce a region, try removing it whole; if that fails, split it in halves and reduce
//!   each; when the first half went away entirely, the second must hold a needed item, so its
//!   whole removal is not tested again;
//! - finally make the result 1-minimal as ddmin does (removing any single remaining item
//!   fails), which costs at most one test per kept item not already answered, and keeps the
//!   guarantee when the test is not monotone (say "DAC_OVERRIDE or DAC_READ_SEARCH").
//!
//! For k needed items out of n this costs at most `1 + 2·k·⌈log₂ n⌉` tests (the unit tests check
//! it for every k ≤ 3 of 14 and of 41 items). With `width > 1`, each region is split into
//! `width` chunks whose removals are tested in one batch; the chunks that can go are removed
//! together when their union can go too (one more test), else one by one.
//!
//! Identical subsets are asked for at most once (a memo), so the count of oracle calls is the
//! count of distinct experiments.

use std::collections::HashMap;

/// What [`ddmin`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Minimized<T> {
    /// The subset kept, in the input's order. It passed the test (or it is the whole input,
    /// which the caller knows passes).
    pub kept: Vec<T>,
    /// How many distinct subsets were tested.
    pub tests: usize,
    /// How many batches were sent to the oracle.
    pub rounds: usize,
}

/// Finds a 1-minimal subset of `items` that passes `test` (removing any one of its items makes
/// it fail), assuming `items` itself passes (not tested again).
///
/// `width` is how many candidates are sent to the oracle at once (1 = strictly sequential, the
/// fewest tests; more = fewer rounds when the oracle runs a batch in parallel). Oracle errors
/// stop the search and are returned as they are.
pub fn ddmin<T: Clone, E>(
    items: &[T],
    width: usize,
    test: impl FnMut(&[Vec<T>]) -> Result<Vec<bool>, E>,
) -> Result<Minimized<T>, E> {
    let mut search = Search::new(items, width, test);
    if !items.is_empty() {
        if search.eval(vec![Vec::new()])?[0] {
            search.current.clear();
        } else {
            search.reduce((0..items.len()).collect(), true)?;
            search.make_one_minimal()?;
        }
    }
    Ok(search.finish())
}

/// Makes `items` 1-minimal by removing single items while one can go (ddmin's last phase
/// alone), assuming `items` itself passes (not tested again). The right search when every item
/// is probably needed (say, the capabilities a trace saw the app use): k items cost k tests
/// when all are needed, `width` candidates a batch.
pub fn one_minimal<T: Clone, E>(
    items: &[T],
    width: usize,
    test: impl FnMut(&[Vec<T>]) -> Result<Vec<bool>, E>,
) -> Result<Minimized<T>, E> {
    let mut search = Search::new(items, width, test);
    search.make_one_minimal()?;
    Ok(search.finish())
}

struct Search<'a, T, F> {
    items: &'a [T],
    test: F,
    width: usize,
    /// Sorted index sets already answered.
    memo: HashMap<Vec<usize>, bool>,
    /// The passing set, as sorted indices.
    current: Vec<usize>,
    tests: usize,
    rounds: usize,
}

impl<'a, T: Clone, E, F: FnMut(&[Vec<T>]) -> Result<Vec<bool>, E>> Search<'a, T, F> {
    /// A search over `items`, which pass (the whole set is answered already).
    fn new(items: &'a [T], width: usize, test: F) -> Self {
        let current: Vec<usize> = (0..items.len()).collect();
        Search {
            items,
            test,
            width: width.max(1),
            memo: HashMap::from([(current.clone(), true)]),
            current,
            tests: 0,
            rounds: 0,
        }
    }

    /// What the search kept, and what it cost.
    fn finish(self) -> Minimized<T> {
        Minimized {
            kept: self
                .current
                .iter()
                .map(|&i| self.items[i].clone())
                .collect(),
            tests: self.tests,
            rounds: self.rounds,
        }
    }

    /// Answers every candidate, asking the oracle only for those not yet answered.
    fn eval(&mut self, candidates: Vec<Vec<usize>>) -> Result<Vec<bool>, E> {
        let mut unknown: Vec<Vec<usize>> = Vec::new();
        for c in &candidates {
            if !self.memo.contains_key(c) && !unknown.contains(c) {
                unknown.push(c.clone());
            }
        }
        if !unknown.is_empty() {
            let batch: Vec<Vec<T>> = unknown
                .iter()
                .map(|c| c.iter().map(|&i| self.items[i].clone()).collect())
                .collect();
            self.rounds += 1;
            self.tests += batch.len();
            let answers = (self.test)(&batch)?;
            for (c, ok) in unknown.into_iter().zip(answers) {
                self.memo.insert(c, ok);
            }
        }
        Ok(candidates
            .iter()
            .map(|c| self.memo.get(c).copied().unwrap_or(false))
            .collect())
    }

    fn without(&self, region: &[usize]) -> Vec<usize> {
        self.current
            .iter()
            .copied()
            .filter(|i| !region.contains(i))
            .collect()
    }

    /// Removes as much of `region` as possible; `known_needed` when removing all of it is
    /// already known to fail.
    fn reduce(&mut self, region: Vec<usize>, known_needed: bool) -> Result<(), E> {
        let region: Vec<usize> = region
            .into_iter()
            .filter(|i| self.current.contains(i))
            .collect();
        if region.is_empty() {
            return Ok(());
        }
        if !known_needed {
            let candidate = self.without(&region);
            if self.eval(vec![candidate.clone()])?[0] {
                self.current = candidate;
                return Ok(());
            }
        }
        if region.len() == 1 {
            return Ok(());
        }
        if self.width == 1 {
            let (first, second) = region.split_at(region.len() / 2);
            let (first, second) = (first.to_vec(), second.to_vec());
            self.reduce(first.clone(), false)?;
            let first_gone = first.iter().all(|i| !self.current.contains(i));
            return self.reduce(second, first_gone);
        }
        let chunks = split(&region, self.width.min(region.len()));
        let candidates: Vec<Vec<usize>> = chunks.iter().map(|c| self.without(c)).collect();
        let answers = self.eval(candidates.clone())?;
        let removable: Vec<&Vec<usize>> = chunks
            .iter()
            .zip(&answers)
            .filter(|(_, ok)| **ok)
            .map(|(c, _)| c)
            .collect();
        match removable.len() {
            0 => {}
            1 => self.current = self.without(removable[0]),
            _ => {
                let union: Vec<usize> = removable.iter().flat_map(|c| c.iter().copied()).collect();
                let candidate = self.without(&union);
                if self.eval(vec![candidate.clone()])?[0] {
                    self.current = candidate;
                } else {
                    for chunk in removable.into_iter().cloned().collect::<Vec<_>>() {
                        self.reduce(chunk, false)?;
                    }
                }
            }
        }
        for (chunk, ok) in chunks.into_iter().zip(answers) {
            if !ok {
                self.reduce(chunk, true)?;
            }
        }
        Ok(())
    }

    /// Removes single items while one can go, `width` candidates a batch.
    fn make_one_minimal(&mut self) -> Result<(), E> {
        'outer: loop {
            let singles: Vec<Vec<usize>> =
                self.current.iter().map(|&i| self.without(&[i])).collect();
            for batch in singles.chunks(self.width) {
                let answers = self.eval(batch.to_vec())?;
                if let Some(pos) = answers.iter().position(|ok| *ok) {
                    self.current = batch[pos].clone();
                    continue 'outer;
                }
            }
            return Ok(());
        }
    }
}

/// `region` in `n` consecutive chunks of nearly equal size.
fn split(region: &[usize], n: usize) -> Vec<Vec<usize>> {
    let mut chunks = Vec::with_capacity(n);
    let mut start = 0;
    for i in 0..n {
        let end = start + (region.len() - start) / (n - i);
        chunks.push(region[start..end].to_vec());
        start = end;
    }
    chunks.retain(|c| !c.is_empty());
    chunks
}

/// The bound on [`ddmin`]'s tests for `k` needed items out of `n` under a monotone test.
pub fn test_bound(k: usize, n: usize) -> usize {
    if k == 0 || n == 0 {
        return 1;
    }
    let log = usize::BITS - (n - 1).leading_zeros(); // ⌈log₂ n⌉
    1 + 2 * k * log as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// All k-subsets of 0..n.
    fn subsets(n: usize, k: usize) -> Vec<Vec<usize>> {
        fn go(start: usize, n: usize, k: usize, acc: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
            if acc.len() == k {
                out.push(acc.clone());
                return;
            }
            for i in start..n {
                acc.push(i);
                go(i + 1, n, k, acc, out);
                acc.pop();
            }
        }
        let mut out = Vec::new();
        go(0, n, k, &mut Vec::new(), &mut out);
        out
    }

    /// Runs ddmin with the monotone oracle "passes iff it holds every needed item", counting
    /// oracle calls independently of ddmin's own counter.
    fn run(n: usize, needed: &[usize], width: usize) -> (Minimized<usize>, usize) {
        let items: Vec<usize> = (0..n).collect();
        let needed: HashSet<usize> = needed.iter().copied().collect();
        let mut calls = 0;
        let mut seen = HashSet::new();
        let result = ddmin(&items, width, |batch: &[Vec<usize>]| {
            assert!(!batch.is_empty() && batch.len() <= width.max(1) + 1);
            Ok::<_, ()>(
                batch
                    .iter()
                    .map(|s| {
                        calls += 1;
                        let mut key = s.clone();
                        key.sort_unstable();
                        assert!(seen.insert(key), "the same subset was asked twice: {s:?}");
                        needed.iter().all(|x| s.contains(x))
                    })
                    .collect(),
            )
        })
        .unwrap();
        (result, calls)
    }

    #[test]
    fn finds_exactly_the_needed_items_within_the_bound() {
        for n in [14, 41] {
            for k in 0..=3 {
                let mut worst = 0;
                let mut total = 0;
                let cases = subsets(n, k);
                for needed in &cases {
                    let (r, calls) = run(n, needed, 1);
                    assert_eq!(&r.kept, needed, "n={n}");
                    assert_eq!(r.tests, calls);
                    assert!(
                        calls <= test_bound(k, n),
                        "n={n} needed={needed:?}: {calls} tests > {}",
                        test_bound(k, n)
                    );
                    worst = worst.max(calls);
                    total += calls;
                }
                let average = total as f64 / cases.len() as f64;
                // Fewer tests than trying every item alone, on average, as long as k·log n < n.
                if k <= 2 || n == 41 {
                    assert!(average < n as f64, "n={n} k={k}: average {average}");
                }
                eprintln!("n={n} k={k}: worst {worst}, average {average:.1} tests");
            }
        }
    }

    #[test]
    fn known_counts_for_small_cases() {
        // Nothing needed: one test (the empty set).
        assert_eq!(run(14, &[], 1).1, 1);
        // One needed item of 14: at most 1 + 2·4.
        let (r, calls) = run(14, &[5], 1);
        assert_eq!(r.kept, vec![5]);
        assert!(calls <= 9, "{calls}");
        // Every item needed: it cannot beat n, but stays within the bound.
        let all: Vec<usize> = (0..8).collect();
        let (r, calls) = run(8, &all, 1);
        assert_eq!(r.kept, all);
        assert!(calls <= test_bound(8, 8), "{calls}");
    }

    #[test]
    fn parallel_batches_find_the_same_sets_in_fewer_rounds() {
        let mut sequential_rounds = 0;
        let mut parallel_rounds = 0;
        for k in 0..=3 {
            for needed in subsets(14, k) {
                let (seq, _) = run(14, &needed, 1);
                let (par, _) = run(14, &needed, 4);
                assert_eq!(par.kept, needed);
                assert_eq!(seq.kept, needed);
                sequential_rounds += seq.rounds;
                parallel_rounds += par.rounds;
            }
        }
        assert!(
            parallel_rounds < sequential_rounds,
            "{parallel_rounds} rounds in parallel, {sequential_rounds} in sequence"
        );
    }

    #[test]
    fn non_monotone_tests_still_give_a_passing_one_minimal_set() {
        // Passes with item 2, and with item 1 or item 3 (either will do).
        let pass = |s: &[usize]| s.contains(&2) && (s.contains(&1) || s.contains(&3));
        for width in [1, 3] {
            let items: Vec<usize> = (0..10).collect();
            let r = ddmin(&items, width, |batch: &[Vec<usize>]| {
                Ok::<_, ()>(batch.iter().map(|s| pass(s)).collect())
            })
            .unwrap();
            assert!(pass(&r.kept), "{:?}", r.kept);
            for i in 0..r.kept.len() {
                let mut smaller = r.kept.clone();
                smaller.remove(i);
                assert!(!pass(&smaller), "{:?} is not 1-minimal", r.kept);
            }
            assert_eq!(r.kept.len(), 2);
        }
    }

    #[test]
    fn oracle_errors_stop_the_search() {
        let items: Vec<u8> = (0..14).collect();
        let mut calls = 0;
        let r = ddmin(&items, 1, |_batch: &[Vec<u8>]| {
            calls += 1;
            if calls == 3 {
                Err("cancelled")
            } else {
                Ok(vec![false])
            }
        });
        assert_eq!(r, Err("cancelled"));
        assert_eq!(calls, 3);
    }

    #[test]
    fn empty_input_needs_no_test() {
        let r = ddmin(&[] as &[u8], 1, |_b: &[Vec<u8>]| -> Result<Vec<bool>, ()> {
            panic!("no test expected")
        })
        .unwrap();
        assert_eq!((r.kept.len(), r.tests), (0, 0));
    }

    #[test]
    fn one_minimal_costs_one_test_per_item_when_all_are_needed() {
        let items: Vec<u8> = vec![3, 7, 9];
        let mut calls = 0;
        let r = one_minimal(&items, 1, |batch: &[Vec<u8>]| {
            calls += batch.len();
            Ok::<_, ()>(batch.iter().map(|s| s.len() == 3).collect())
        })
        .unwrap();
        assert_eq!((r.kept, r.tests, calls), (items.clone(), 3, 3));
        // One of them can go: it is removed, and the rest stay 1-minimal.
        let r = one_minimal(&items, 2, |batch: &[Vec<u8>]| {
            Ok::<_, ()>(
                batch
                    .iter()
                    .map(|s| s.contains(&3) && s.contains(&9))
                    .collect(),
            )
        })
        .unwrap();
        assert_eq!(r.kept, vec![3, 9]);
    }

    #[test]
    fn the_bound_formula() {
        assert_eq!(test_bound(0, 14), 1);
        assert_eq!(test_bound(1, 14), 9);
        assert_eq!(test_bound(3, 14), 25);
        assert_eq!(test_bound(3, 16), 25);
        assert_eq!(test_bound(3, 17), 31);
    }
}
