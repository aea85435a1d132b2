//! Telling drawn glyphs from .notdef boxes in a rendered line, for suites in any crate of the
//! workspace (each includes this file with `#[path]`): a font without a script's glyphs
//! draws one identical box per character, real glyphs differ from each other.

/// The separate shapes of a line, left to right, from the ink (pixel count) of each column:
/// (columns, ink) per run of columns with ink.
pub fn shapes(columns: impl IntoIterator<Item = usize>) -> Vec<(u32, usize)> {
    let mut out = Vec::new();
    let mut run: Option<(u32, usize)> = None;
    for n in columns {
        match (&mut run, n) {
            (Some((cols, ink)), n) if n > 0 => {
                *cols += 1;
                *ink += n;
            }
            (None, n) if n > 0 => run = Some((1, n)),
            (Some(_), _) => out.extend(run.take()),
            (None, _) => {}
        }
    }
    out.extend(run);
    out
}

/// Coefficient of variation of the ink per shape: near 0 for a row of identical boxes.
pub fn spread(shapes: &[(u32, usize)]) -> f64 {
    let n = shapes.len() as f64;
    let mean = shapes.iter().map(|s| s.1 as f64).sum::<f64>() / n;
    let var = shapes
        .iter()
        .map(|s| (s.1 as f64 - mean).powi(2))
        .sum::<f64>()
        / n;
    var.sqrt() / mean
}
