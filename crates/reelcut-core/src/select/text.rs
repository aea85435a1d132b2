//! Words as the scorer sees them: content terms for TF-IDF (stop words dropped, a light
//! plural stem), and the English lexicons behind the hook and cue signals. Other languages
//! still get density, topics (TF-IDF is language-blind), energy and pauses; only the
//! lexicon-based hook and cue signals are English-only.

use std::collections::BTreeMap;

/// Lower-cased tokens of `text`: letters and digits, with inner apostrophes kept
/// ("here's"), typographic apostrophes made straight.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for raw in text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’')) {
        let t = raw.replace('’', "'");
        let t = t.trim_matches('\'');
        if !t.is_empty() {
            out.push(t.to_lowercase());
        }
    }
    out
}

const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at",
    "be", "because", "been", "before", "being", "between", "both", "but", "by", "can", "could",
    "did", "do", "does", "doing", "don't", "down", "during", "each", "even", "every", "few", "for",
    "from", "get", "got", "had", "has", "have", "having", "he", "her", "here", "here's", "hers",
    "him", "his", "how", "i", "i'm", "if", "in", "into", "is", "it", "it's", "its", "just", "know",
    "like", "me", "more", "most", "my", "no", "not", "now", "of", "off", "on", "once", "one",
    "only", "or", "other", "our", "out", "over", "own", "really", "same", "she", "should", "so",
    "some", "such", "than", "that", "that's", "the", "their", "them", "then", "there", "there's",
    "these", "they", "this", "those", "through", "to", "too", "uh", "um", "under", "until", "up",
    "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "why", "will",
    "with", "would", "yeah", "you", "you're", "your", "yours",
];

/// Content terms of `text` for topic similarity: stop words and one-letter tokens dropped,
/// plurals folded ("apples" -> "apple") so the same thing said twice counts as the same term.
pub fn terms(text: &str) -> Vec<String> {
    tokens(text)
        .into_iter()
        .filter(|t| t.chars().count() > 1 && STOP_WORDS.binary_search(&t.as_str()).is_err())
        .map(|t| stem(&t))
        .collect()
}

fn stem(t: &str) -> String {
    let t = t.strip_suffix("'s").unwrap_or(t);
    if t.len() > 4 {
        if let Some(s) = t.strip_suffix("ies") {
            return format!("{s}y");
        }
    }
    if t.len() > 3 && !t.ends_with("ss") && !t.ends_with("us") && !t.ends_with("is") {
        if let Some(s) = t.strip_suffix('s') {
            return s.to_string();
        }
    }
    t.to_string()
}

/// Sparse TF-IDF vectors over a set of documents (here: sentences), unit length.
/// Term ids come from a `BTreeMap`, so vectors (and everything computed from them) are the
/// same on every run.
pub struct TfIdf {
    pub vectors: Vec<Sparse>,
}

/// (term id, weight), sorted by id.
pub type Sparse = Vec<(u32, f64)>;

impl TfIdf {
    pub fn new(documents: &[Vec<String>]) -> Self {
        let mut ids: BTreeMap<&str, u32> = BTreeMap::new();
        for d in documents {
            for t in d {
                let next = ids.len() as u32;
                ids.entry(t.as_str()).or_insert(next);
            }
        }
        let mut df = vec![0u32; ids.len()];
        let counts: Vec<BTreeMap<u32, f64>> = documents
            .iter()
            .map(|d| {
                let mut c = BTreeMap::new();
                for t in d {
                    *c.entry(ids[t.as_str()]).or_insert(0.0) += 1.0;
                }
                for id in c.keys() {
                    df[*id as usize] += 1;
                }
                c
            })
            .collect();
        let n = documents.len() as f64;
        let vectors = counts
            .into_iter()
            .map(|c| {
                // Smoothed idf (as scikit-learn's): a term in every sentence still weighs 1.
                let v: Sparse = c
                    .into_iter()
                    .map(|(id, tf)| {
                        let idf = ((1.0 + n) / (1.0 + f64::from(df[id as usize]))).ln() + 1.0;
                        (id, tf * idf)
                    })
                    .collect();
                normalized(v)
            })
            .collect();
        TfIdf { vectors }
    }
}

pub fn norm(v: &Sparse) -> f64 {
    v.iter().map(|(_, x)| x * x).sum::<f64>().sqrt()
}

pub fn normalized(mut v: Sparse) -> Sparse {
    let n = norm(&v);
    if n > 0.0 {
        for (_, x) in &mut v {
            *x /= n;
        }
    }
    v
}

pub fn dot(a: &Sparse, b: &Sparse) -> f64 {
    let (mut i, mut j, mut s) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    s
}

/// Cosine similarity; 0 when either side has no terms.
pub fn cosine(a: &Sparse, b: &Sparse) -> f64 {
    let d = norm(a) * norm(b);
    if d > 0.0 {
        dot(a, b) / d
    } else {
        0.0
    }
}

/// The sum of some vectors, sorted by id.
pub fn sum<'a>(vs: impl IntoIterator<Item = &'a Sparse>) -> Sparse {
    let mut acc: BTreeMap<u32, f64> = BTreeMap::new();
    for v in vs {
        for (id, x) in v {
            *acc.entry(*id).or_insert(0.0) += x;
        }
    }
    acc.into_iter().collect()
}

// --- Hooks and cues -------------------------------------------------------------------------

/// Openings that promise something: what short-video editors look for in a first line.
/// Matched against the first tokens of a sentence.
const OPENERS: &[&str] = &[
    "here's",
    "here is",
    "the secret",
    "the truth",
    "the trick",
    "the reason",
    "the problem",
    "the biggest",
    "the best",
    "the worst",
    "the number one",
    "the one thing",
    "this is why",
    "this is how",
    "this one",
    "you need",
    "you have to",
    "you should",
    "you won't",
    "you will never",
    "imagine",
    "what if",
    "did you know",
    "stop",
    "never",
    "nobody",
    "no one",
    "everyone",
    "most people",
    "how to",
    "listen",
    "let me tell you",
    "i bet",
    "if you",
];

/// Words that make a claim or raise stakes.
const CLAIM_WORDS: &[&str] = &[
    "always",
    "best",
    "biggest",
    "crazy",
    "guaranteed",
    "huge",
    "important",
    "incredible",
    "insane",
    "mistake",
    "mistakes",
    "must",
    "never",
    "nobody",
    "proven",
    "secret",
    "secrets",
    "shocking",
    "surprising",
    "truth",
    "worst",
    "wrong",
];

const NUMBER_WORDS: &[&str] = &[
    "billion", "eight", "eighty", "eleven", "fifty", "five", "forty", "four", "half", "hundred",
    "million", "nine", "ninety", "percent", "seven", "seventy", "six", "sixty", "ten", "thirty",
    "thousand", "three", "twelve", "twenty", "two",
];

/// Words that begin a sentence leaning on the one before: a clip opening with them starts
/// mid-thought.
const CONNECTIVES: &[&str] = &[
    "also",
    "and",
    "because",
    "but",
    "however",
    "or",
    "otherwise",
    "so",
    "then",
    "therefore",
    "which",
];

const LAUGHTER: &[&str] = &[
    "applause", "haha", "hahaha", "laugh", "laughing", "laughs", "laughter", "lol",
];

/// What makes a sentence a good first line, as (weight, explanation) pieces.
pub fn hook_features(sentence: &str, terminal: Option<char>) -> Vec<(f64, String)> {
    let toks = tokens(sentence);
    let mut out = Vec::new();
    if terminal == Some('?') {
        out.push((0.5, "asks a question".to_string()));
    }
    let head = toks.iter().take(4).cloned().collect::<Vec<_>>().join(" ");
    if let Some(o) = OPENERS
        .iter()
        .find(|o| head == **o || head.starts_with(&format!("{o} ")))
    {
        out.push((0.6, format!("opens with \"{o}\"")));
    }
    if let Some(c) = toks.iter().find(|t| CLAIM_WORDS.contains(&t.as_str())) {
        out.push((0.3, format!("claim word \"{c}\"")));
    }
    if let Some(n) = toks
        .iter()
        .find(|t| t.chars().any(|c| c.is_ascii_digit()) || NUMBER_WORDS.contains(&t.as_str()))
    {
        out.push((0.25, format!("number \"{n}\"")));
    }
    if toks.iter().any(|t| t == "you" || t == "your") {
        out.push((0.1, "speaks to the viewer".to_string()));
    }
    if let Some(c) = toks.first().filter(|t| CONNECTIVES.contains(&t.as_str())) {
        out.push((-0.5, format!("starts mid-thought (\"{c} ...\")")));
    }
    out
}

/// The words of a sentence that make it a hook by the lexicons of [`hook_features`]:
/// claim words and numbers, lower case. Captions emphasise them.
pub fn hook_words(sentence: &str) -> Vec<String> {
    tokens(sentence)
        .into_iter()
        .filter(|t| {
            CLAIM_WORDS.contains(&t.as_str())
                || NUMBER_WORDS.contains(&t.as_str())
                || t.chars().any(|c| c.is_ascii_digit())
        })
        .collect()
}

/// Laughter and applause markers in a sentence ("[LAUGHTER]", "haha", "(laughs)").
pub fn laughter(sentence: &str) -> usize {
    tokens(sentence)
        .iter()
        .filter(|t| LAUGHTER.contains(&t.as_str()))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hook_words_are_the_claims_and_numbers() {
        assert_eq!(
            hook_words("The biggest mistake costs 3 years, and nobody tells you."),
            ["biggest", "mistake", "3", "nobody"]
        );
        assert!(hook_words("We went to the shop.").is_empty());
    }

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        let mut s = STOP_WORDS.to_vec();
        s.sort_unstable();
        assert_eq!(s, STOP_WORDS);
    }

    #[test]
    fn terms_drop_stop_words_and_fold_plurals() {
        assert_eq!(
            terms("Here's why the Apples and berries’ pies are GREAT!"),
            ["apple", "berry", "pie", "great"]
        );
    }

    #[test]
    fn tfidf_similar_sentences_are_closer() {
        let docs: Vec<Vec<String>> = [
            "sourdough bread needs flour",
            "bake the bread with flour",
            "the train leaves the station",
        ]
        .iter()
        .map(|s| terms(s))
        .collect();
        let t = TfIdf::new(&docs);
        assert!(cosine(&t.vectors[0], &t.vectors[1]) > 0.3);
        assert_eq!(cosine(&t.vectors[0], &t.vectors[2]), 0.0);
        assert!((norm(&t.vectors[0]) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn hooks_and_mid_thought_starts() {
        let total = |s: &str, t| hook_features(s, t).iter().map(|f| f.0).sum::<f64>();
        assert!(total("Here's the secret nobody tells you.", Some('.')) >= 0.99);
        assert!(total("Why do most people never save?", Some('?')) > 0.7);
        assert_eq!(total("The garden has a low stone wall.", Some('.')), 0.0);
        assert!(total("And then the wall fell.", Some('.')) < 0.0);
        assert_eq!(laughter("That was great [LAUGHTER] haha"), 2);
    }
}
