//! Topic shifts, TextTiling-style (Hearst 1997) over sentences: at each gap between two
//! sentences compare the TF-IDF of the few sentences before it with the few after it; a gap
//! where that similarity dips well below the peaks on either side ("depth") is where the
//! speaker moved on. A clip that crosses one tells half of two stories.

use super::text::{cosine, sum, Sparse};

/// Sentences on each side of a gap that are compared.
const BLOCK: usize = 3;
/// A gap is a shift only if its depth is this much above the typical gap (in standard
/// deviations)...
const CUTOFF_SD: f64 = 0.5;
/// ...and at least this deep in absolute terms (cosine units), so a transcript that never
/// changes subject gets no shifts.
const MIN_DEPTH: f64 = 0.45;

/// A topic shift between sentence `after` and `after + 1`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shift {
    pub after: usize,
    /// Hearst's depth score, 0..2: how far similarity drops here below its neighbours.
    pub depth: f64,
}

/// Similarity across each gap: `sims[g]` is between the sentences just before and just
/// after gap `g` (between sentence `g` and `g + 1`). Both sides use the same number of
/// sentences: near the ends of the talk there are fewer, and comparing one sentence with
/// three would make every edge look like a shift.
fn gap_similarities(vectors: &[Sparse]) -> Vec<f64> {
    let n = vectors.len();
    (0..n.saturating_sub(1))
        .map(|g| {
            let b = BLOCK.min(g + 1).min(n - 1 - g);
            let left = sum(&vectors[g + 1 - b..=g]);
            let right = sum(&vectors[g + 1..g + 1 + b]);
            cosine(&left, &right)
        })
        .collect()
}

/// Depth of each gap: climb to the highest similarity on each side (while it keeps rising)
/// and add both drops.
fn depths(sims: &[f64]) -> Vec<f64> {
    (0..sims.len())
        .map(|g| {
            let mut l = sims[g];
            for &s in sims[..g].iter().rev() {
                if s < l {
                    break;
                }
                l = s;
            }
            let mut r = sims[g];
            for &s in &sims[g + 1..] {
                if s < r {
                    break;
                }
                r = s;
            }
            (l - sims[g]) + (r - sims[g])
        })
        .collect()
}

/// The topic shifts of a sequence of sentence vectors, in order.
pub fn shifts(vectors: &[Sparse]) -> Vec<Shift> {
    let d = depths(&gap_similarities(vectors));
    if d.is_empty() {
        return Vec::new();
    }
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let sd = (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
    let cutoff = (mean + CUTOFF_SD * sd).max(MIN_DEPTH);
    (0..d.len())
        .filter(|&g| d[g] >= cutoff)
        // One sentence against one is too noisy to call a shift on: the first and last
        // gap never are.
        .filter(|&g| g >= 1 && g + 2 < vectors.len())
        // Of two neighbouring deep gaps only the deeper is the shift (the earlier on a tie).
        .filter(|&g| (g == 0 || d[g - 1] <= d[g]) && d.get(g + 1).is_none_or(|&x| x < d[g]))
        .map(|g| Shift {
            after: g,
            depth: d[g],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::select::text::{terms, TfIdf};

    #[test]
    fn finds_the_planted_shifts_and_nothing_else() {
        let topics = [
            [
                "bread flour oven",
                "flour dough bread",
                "oven bread crust",
                "dough yeast flour",
            ],
            [
                "train station ticket",
                "station platform train",
                "ticket train timetable",
                "platform station clock",
            ],
            [
                "garden lawn shed",
                "shed garden tools",
                "lawn mower garden",
                "garden wall flowers",
            ],
        ];
        let docs: Vec<Vec<String>> = topics.iter().flatten().map(|s| terms(s)).collect();
        let t = TfIdf::new(&docs);
        let found: Vec<usize> = shifts(&t.vectors).iter().map(|s| s.after).collect();
        assert_eq!(found, [3, 7]);
    }
}
