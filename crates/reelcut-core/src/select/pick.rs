//! Choosing N clips out of many overlapping candidates: greedy maximal marginal relevance.
//! Each round takes the candidate with the best score *after* a penalty for resembling
//! (TF-IDF cosine) or sitting close to the clips already taken, among those that overlap
//! none of them. Without the penalty the top three would often be three neighbours telling
//! the same story.

use std::cmp::Ordering;

use super::score::Candidate;
use super::text::cosine;
use super::{Reason, Signal};
use crate::range::TimeRange;

/// Penalty for saying what a chosen clip says (times the cosine similarity, 0..1).
const W_SIMILAR: f64 = 0.8;
/// Penalty for sitting right next to a chosen clip; it fades with the gap between them.
const W_NEAR: f64 = 0.3;
/// The fade's scale is the candidates' mean length (a clip within about one clip of a
/// chosen one counts as next to it), but at least this. Not the number of clips asked for:
/// the best two must be the first two of the best three, or asking for fewer clips would
/// give other clips.
const MIN_NEAR_SCALE_S: f64 = 5.0;

pub(super) struct Pick {
    pub candidate: usize,
    /// The penalty it was chosen despite, explained (`None` when there was none to speak of).
    pub diversity: Option<Reason>,
}

fn overlaps(a: TimeRange, b: TimeRange) -> bool {
    a.start < b.end && b.start < a.end
}

fn gap(a: TimeRange, b: TimeRange) -> f64 {
    (b.start - a.end).max(a.start - b.end).max(0.0)
}

/// Up to `count` candidates, best first. Greedy with penalties that do not depend on
/// `count`, so the picks for N are the first N of the picks for any larger N.
pub(super) fn pick(cands: &[Candidate], count: usize) -> Vec<Pick> {
    let mean = cands.iter().map(|c| c.range.duration()).sum::<f64>() / cands.len().max(1) as f64;
    let scale = mean.max(MIN_NEAR_SCALE_S);
    let mut chosen: Vec<usize> = Vec::new();
    let mut picks = Vec::new();
    while picks.len() < count {
        let mut best: Option<(usize, f64, Option<Reason>)> = None;
        for (i, c) in cands.iter().enumerate() {
            if chosen.iter().any(|&k| overlaps(cands[k].range, c.range)) {
                continue;
            }
            let (penalty, reason) = penalty(c, &chosen, cands, scale);
            let value = c.score - penalty;
            // Ties go to the earlier, then shorter, clip: the result never depends on
            // anything but the input.
            let better = match &best {
                None => true,
                Some((b, bv, _)) => match value.total_cmp(bv) {
                    Ordering::Greater => true,
                    Ordering::Less => false,
                    Ordering::Equal => {
                        let (x, y) = (c.range, cands[*b].range);
                        x.start
                            .total_cmp(&y.start)
                            .then(x.end.total_cmp(&y.end))
                            .is_lt()
                    }
                },
            };
            if better {
                best = Some((i, value, reason));
            }
        }
        let Some((i, _, diversity)) = best else { break };
        chosen.push(i);
        picks.push(Pick {
            candidate: i,
            diversity,
        });
    }
    picks
}

fn penalty(
    c: &Candidate,
    chosen: &[usize],
    cands: &[Candidate],
    scale: f64,
) -> (f64, Option<Reason>) {
    let mut similar: Option<(usize, f64)> = None;
    let mut near: Option<(usize, f64)> = None;
    for (rank, &k) in chosen.iter().enumerate() {
        let s = cosine(&c.vector, &cands[k].vector);
        if similar.is_none_or(|(_, x)| s > x) {
            similar = Some((rank, s));
        }
        let g = gap(c.range, cands[k].range);
        if near.is_none_or(|(_, x)| g < x) {
            near = Some((rank, g));
        }
    }
    let p_sim = similar.map_or(0.0, |(_, s)| W_SIMILAR * s);
    let p_near = near.map_or(0.0, |(_, g)| W_NEAR * (-g / scale).exp());
    let total = p_sim + p_near;
    if total < 0.0005 {
        return (total, None);
    }
    let mut parts = Vec::new();
    if let Some((rank, s)) = similar.filter(|_| p_sim >= 0.0005) {
        parts.push(format!("similar to clip {} (cosine {s:.2})", rank + 1));
    }
    if let Some((rank, g)) = near.filter(|_| p_near >= 0.0005) {
        parts.push(format!("{g:.0} s from clip {}", rank + 1));
    }
    (
        total,
        Some(Reason {
            signal: Signal::Diversity,
            value: -total,
            text: parts.join("; "),
            sentences: Vec::new(),
        }),
    )
}
