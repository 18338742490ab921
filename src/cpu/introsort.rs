//! A faithful port of libstdc++'s `std::sort` (GCC 10 introsort, spec Appendix A.4).
//!
//! The original orders tied values in sorted rank coding however this particular unstable
//! algorithm leaves them; reproducing it step for step (same pivots, same partition scheme, same
//! insertion-sort threshold) is the only way to match its spike times bit for bit when inputs have
//! ties. The comparator must be a strict weak ordering (callers reject NaN); even if it is not,
//! slice indexing is bounds-checked, so a bad comparator can only panic, never read out of bounds.

/// libstdc++'s `_S_threshold`: below this length the loop leaves ranges to insertion sort.
const THRESHOLD: usize = 16;

/// Sorts `a` with the strict "less" predicate `less`, exactly as libstdc++'s `std::sort` does.
pub(crate) fn sort<T: Copy>(a: &mut [T], less: &impl Fn(T, T) -> bool) {
    let n = a.len();
    if n < 2 {
        return;
    }
    let depth = 2 * (usize::BITS - 1 - n.leading_zeros()) as usize;
    introsort_loop(a, 0, n, depth, less);
    final_insertion_sort(a, less);
}

fn introsort_loop<T: Copy>(
    a: &mut [T],
    first: usize,
    mut last: usize,
    mut depth: usize,
    less: &impl Fn(T, T) -> bool,
) {
    while last - first > THRESHOLD {
        if depth == 0 {
            heap_sort(&mut a[first..last], less);
            return;
        }
        depth -= 1;
        let cut = partition_pivot(a, first, last, less);
        introsort_loop(a, cut, last, depth, less);
        last = cut;
    }
}

/// Median of `a[first+1]`, `a[mid]`, `a[last-1]` moved to `first`, then an unguarded Hoare
/// partition of `[first+1, last)` around it; returns the cut.
fn partition_pivot<T: Copy>(
    a: &mut [T],
    first: usize,
    last: usize,
    less: &impl Fn(T, T) -> bool,
) -> usize {
    let mid = first + (last - first) / 2;
    let (x, y, z) = (first + 1, mid, last - 1);
    let pick = if less(a[x], a[y]) {
        if less(a[y], a[z]) {
            y
        } else if less(a[x], a[z]) {
            z
        } else {
            x
        }
    } else if less(a[x], a[z]) {
        x
    } else if less(a[y], a[z]) {
        z
    } else {
        y
    };
    a.swap(first, pick);
    let pivot = a[first];
    let (mut l, mut r) = (first + 1, last);
    loop {
        while less(a[l], pivot) {
            l += 1;
        }
        r -= 1;
        while less(pivot, a[r]) {
            r -= 1;
        }
        if l >= r {
            return l;
        }
        a.swap(l, r);
        l += 1;
    }
}

fn final_insertion_sort<T: Copy>(a: &mut [T], less: &impl Fn(T, T) -> bool) {
    if a.len() > THRESHOLD {
        insertion_sort(&mut a[..THRESHOLD], less);
        for i in THRESHOLD..a.len() {
            unguarded_linear_insert(a, i, less);
        }
    } else {
        insertion_sort(a, less);
    }
}

fn insertion_sort<T: Copy>(a: &mut [T], less: &impl Fn(T, T) -> bool) {
    for i in 1..a.len() {
        let v = a[i];
        if less(v, a[0]) {
            a.copy_within(0..i, 1);
            a[0] = v;
        } else {
            unguarded_linear_insert(a, i, less);
        }
    }
}

fn unguarded_linear_insert<T: Copy>(a: &mut [T], mut i: usize, less: &impl Fn(T, T) -> bool) {
    let v = a[i];
    while less(v, a[i - 1]) {
        a[i] = a[i - 1];
        i -= 1;
    }
    a[i] = v;
}

/// libstdc++'s `__partial_sort(first, last, last)`: make-heap then sort-heap.
fn heap_sort<T: Copy>(a: &mut [T], less: &impl Fn(T, T) -> bool) {
    let len = a.len();
    if len < 2 {
        return;
    }
    let mut p = (len - 2) / 2;
    loop {
        let v = a[p];
        adjust_heap(a, p, len, v, less);
        if p == 0 {
            break;
        }
        p -= 1;
    }
    let mut end = len;
    while end > 1 {
        end -= 1;
        let v = a[end];
        a[end] = a[0];
        adjust_heap(a, 0, end, v, less);
    }
}

fn adjust_heap<T: Copy>(
    a: &mut [T],
    mut hole: usize,
    len: usize,
    v: T,
    less: &impl Fn(T, T) -> bool,
) {
    let top = hole;
    let mut c = hole;
    while c < (len - 1) / 2 {
        c = 2 * (c + 1);
        if less(a[c], a[c - 1]) {
            c -= 1;
        }
        a[hole] = a[c];
        hole = c;
    }
    if len.is_multiple_of(2) && c == (len - 2) / 2 {
        c = 2 * (c + 1);
        a[hole] = a[c - 1];
        hole = c - 1;
    }
    // Sift `v` up from the hole, no higher than where it started.
    while hole > top {
        let parent = (hole - 1) / 2;
        if !less(a[parent], v) {
            break;
        }
        a[hole] = a[parent];
        hole = parent;
    }
    a[hole] = v;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator so the tests need no dependency.
    fn lcg(seed: &mut u64) -> u64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        *seed >> 33
    }

    #[test]
    fn sorts_like_a_sort() {
        let mut s = 7;
        for n in [0usize, 1, 2, 5, 16, 17, 40, 300, 2000] {
            let vals: Vec<u64> = (0..n).map(|_| lcg(&mut s) % 13).collect();
            let mut idx: Vec<usize> = (0..n).collect();
            sort(&mut idx, &|p, q| vals[p] > vals[q]);
            let mut sorted: Vec<u64> = idx.iter().map(|&i| vals[i]).collect();
            assert!(sorted.windows(2).all(|w| w[0] >= w[1]), "n = {n}");
            sorted.sort_unstable();
            let mut want = vals.clone();
            want.sort_unstable();
            assert_eq!(sorted, want);
            let mut seen = idx.clone();
            seen.sort_unstable();
            assert_eq!(seen, (0..n).collect::<Vec<_>>());
        }
    }

    #[test]
    fn heap_sort_path_sorts() {
        let mut s = 3;
        for n in [2usize, 3, 4, 9, 10, 33] {
            let mut v: Vec<u64> = (0..n).map(|_| lcg(&mut s) % 5).collect();
            heap_sort(&mut v, &|p, q| p < q);
            assert!(v.windows(2).all(|w| w[0] <= w[1]), "{v:?}");
        }
    }

    #[test]
    fn small_inputs_keep_index_order_for_ties() {
        // Insertion sort is stable: for <= 16 features ties keep index order (spec §3.2).
        let vals = [1, 3, 3, 1, 2, 3, 2, 1];
        let mut idx: Vec<usize> = (0..vals.len()).collect();
        sort(&mut idx, &|p, q| vals[p] > vals[q]);
        assert_eq!(idx, [1, 2, 5, 4, 6, 0, 3, 7]);
    }
}
