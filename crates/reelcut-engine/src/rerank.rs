//! Optional second opinion on the offline ranking: the candidates' transcripts go to an
//! OpenAI-compatible chat endpoint (a local Ollama or llama.cpp server, say) which is asked
//! to order them. Off unless configured; never required. Whatever goes wrong there (no
//! server, a timeout, an error status, an answer that is not the expected JSON) is a
//! warning, and the offline order stands.

use std::time::Duration;

use reelcut_core::select::{ChosenClip, Reason, Signal};
use reelcut_core::CancellationToken;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use thiserror::Error;

/// Where and whom to ask.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RerankConfig {
    /// Server base URL (`http://127.0.0.1:11434`); `/v1/chat/completions` is appended
    /// unless the URL already ends with `/v1` or with the full path.
    pub url: String,
    pub model: String,
    /// Whole-request deadline, seconds: a slow model on a CPU takes a while, but the run
    /// must not hang on it.
    #[serde(default = "default_timeout")]
    pub timeout_seconds: f64,
}

fn default_timeout() -> f64 {
    60.0
}

impl Default for RerankConfig {
    fn default() -> Self {
        RerankConfig {
            url: "http://127.0.0.1:11434".into(),
            model: String::new(),
            timeout_seconds: default_timeout(),
        }
    }
}

#[derive(Debug, Error)]
pub enum RerankError {
    #[error("{url}: {source}")]
    Request {
        url: String,
        #[source]
        source: Box<ureq::Error>,
    },
    #[error("{url}: unusable answer: {message}")]
    Answer { url: String, message: String },
    #[error("cancelled")]
    Cancelled,
}

/// A candidate's excerpt is cut to this many characters in the prompt: enough to judge a
/// 60 s clip (about 150 words), bounded for small local models' context windows.
const EXCERPT_CHARS: usize = 1200;

const SYSTEM: &str = "You are a video editor choosing moments of a long video to publish as \
short vertical clips. You judge transcripts. You answer with JSON only.";

fn endpoint(base: &str) -> String {
    let b = base.trim_end_matches('/');
    if b.ends_with("/chat/completions") {
        b.to_string()
    } else if b.ends_with("/v1") {
        format!("{b}/chat/completions")
    } else {
        format!("{b}/v1/chat/completions")
    }
}

fn prompt(clips: &[ChosenClip]) -> String {
    let mut p = format!(
        "Here are {} candidate clips from one video, with their transcripts. Order them from \
         best to worst as a standalone short clip: a hook in the first seconds, one complete \
         thought, something that makes a viewer stop scrolling.\n\
         Answer with JSON only, in this form: {{\"order\": [ids, best first]}}\n",
        clips.len()
    );
    for (i, c) in clips.iter().enumerate() {
        let excerpt: String = c.excerpt.chars().take(EXCERPT_CHARS).collect();
        p.push_str(&format!(
            "\nid {} ({:.0} s): {}\n",
            i + 1,
            c.range.duration(),
            excerpt
        ));
    }
    p
}

/// Asks the endpoint to order `clips`; returns their indices best first (every index once:
/// ids the model left out follow in the offline order).
pub fn ask(
    cfg: &RerankConfig,
    clips: &[ChosenClip],
    cancel: &CancellationToken,
) -> Result<Vec<usize>, RerankError> {
    let url = endpoint(&cfg.url);
    if cancel.is_cancelled() {
        return Err(RerankError::Cancelled);
    }
    let body = json!({
        "model": cfg.model,
        "temperature": 0,
        "stream": false,
        "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": prompt(clips)},
        ],
    });
    let timeout = Duration::from_secs_f64(cfg.timeout_seconds.clamp(1.0, 3600.0));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .user_agent(concat!("reelcut/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let request_error = |e: ureq::Error| RerankError::Request {
        url: url.clone(),
        source: Box::new(e),
    };
    let answer_error = |message: String| RerankError::Answer {
        url: url.clone(),
        message,
    };
    let text = agent
        .post(&url)
        .header("Content-Type", "application/json")
        .send(body.to_string())
        .map_err(request_error)?
        .body_mut()
        .read_to_string()
        .map_err(request_error)?;
    let reply: Value =
        serde_json::from_str(&text).map_err(|e| answer_error(format!("not JSON ({e})")))?;
    let content = reply["choices"][0]["message"]["content"]
        .as_str()
        .ok_or_else(|| answer_error("no choices[0].message.content".into()))?;
    let ids = parse_order(content, clips.len())
        .ok_or_else(|| answer_error(format!("no order of ids in {:?}", short(content))))?;
    let mut order: Vec<usize> = ids.into_iter().map(|id| id - 1).collect();
    for i in 0..clips.len() {
        if !order.contains(&i) {
            order.push(i);
        }
    }
    Ok(order)
}

fn short(s: &str) -> String {
    let mut t: String = s.chars().take(200).collect();
    if t.len() < s.len() {
        t.push('…');
    }
    t
}

/// The ids (1..=n, each once, in the order given) in a model's answer. Models wrap JSON in
/// prose or code fences, name the list differently and write ids as numbers or strings
/// ("3", "id 3"), so this looks for the first JSON object or array in the text and takes
/// the first list of ids in it. `None` when it has no valid id at all.
pub fn parse_order(content: &str, n: usize) -> Option<Vec<usize>> {
    let value = json_in(content)?;
    let list = match &value {
        Value::Array(a) => a.clone(),
        Value::Object(o) => ["order", "ids", "ranking", "ranked", "best"]
            .iter()
            .find_map(|k| o.get(*k).and_then(Value::as_array).cloned())
            .or_else(|| o.values().find_map(|v| v.as_array().cloned()))?,
        _ => return None,
    };
    let mut ids = Vec::new();
    for v in &list {
        let id = match v {
            Value::Number(x) => x.as_u64().map(|x| x as usize),
            Value::String(s) => {
                let digits: String = s
                    .chars()
                    .skip_while(|c| !c.is_ascii_digit())
                    .take_while(char::is_ascii_digit)
                    .collect();
                digits.parse().ok()
            }
            Value::Object(o) => o.get("id").and_then(Value::as_u64).map(|x| x as usize),
            _ => None,
        };
        if let Some(id) = id.filter(|id| (1..=n).contains(id) && !ids.contains(id)) {
            ids.push(id);
        }
    }
    (!ids.is_empty()).then_some(ids)
}

/// The first JSON object or array that parses, found by trying each `{` or `[` in turn
/// against its last possible closing bracket.
fn json_in(text: &str) -> Option<Value> {
    if let Ok(v) = serde_json::from_str::<Value>(text.trim()) {
        if v.is_object() || v.is_array() {
            return Some(v);
        }
    }
    for (i, c) in text.char_indices() {
        let close = match c {
            '{' => '}',
            '[' => ']',
            _ => continue,
        };
        let Some(j) = text.rfind(close) else { continue };
        if j > i {
            if let Ok(v) = serde_json::from_str::<Value>(&text[i..=j]) {
                return Some(v);
            }
        }
    }
    None
}

/// `clips` in the endpoint's order, cut to `count`; on any failure, the offline order, with
/// a warning. Chosen clips gain a [`Signal::Rerank`] reason saying where each moved.
pub fn rerank(
    cfg: &RerankConfig,
    clips: Vec<ChosenClip>,
    count: usize,
    cancel: &CancellationToken,
) -> Vec<ChosenClip> {
    if clips.len() < 2 {
        return clips.into_iter().take(count).collect();
    }
    let order = match ask(cfg, &clips, cancel) {
        Ok(o) => o,
        Err(e) => {
            tracing::warn!(error = %e, "re-rank failed; keeping the offline order");
            return clips.into_iter().take(count).collect();
        }
    };
    let n = clips.len();
    let mut slots: Vec<Option<ChosenClip>> = clips.into_iter().map(Some).collect();
    order
        .into_iter()
        .take(count)
        .enumerate()
        .filter_map(|(pos, i)| {
            let mut c = slots[i].take()?;
            c.reasons.push(Reason {
                signal: Signal::Rerank,
                value: 0.0,
                text: format!(
                    "{} ranked it {} of {n} (offline: {})",
                    cfg.model,
                    pos + 1,
                    i + 1
                ),
                sentences: Vec::new(),
            });
            Some(c)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a panic is a failed test
    use super::*;
    use reelcut_core::TimeRange;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;
    use std::sync::mpsc;

    fn clip(i: usize) -> ChosenClip {
        ChosenClip {
            range: TimeRange {
                start: i as f64 * 30.0,
                end: i as f64 * 30.0 + 25.0,
            },
            score: 3.0 - i as f64,
            reasons: Vec::new(),
            excerpt: format!("words of clip {i}"),
            first_sentence: i * 5,
            last_sentence: i * 5 + 4,
        }
    }

    /// A one-connection HTTP server on 127.0.0.1: hands back what it was sent (request
    /// line and body) and answers with `status` and `body` — or, with `status` 0, never.
    fn server(status: u16, body: String) -> (String, mpsc::Receiver<(String, String)>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            let mut length = 0;
            loop {
                let mut h = String::new();
                reader.read_line(&mut h).unwrap();
                if h == "\r\n" || h.is_empty() {
                    break;
                }
                if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
            }
            let mut sent = vec![0; length];
            reader.read_exact(&mut sent).unwrap();
            tx.send((request_line, String::from_utf8(sent).unwrap()))
                .unwrap();
            if status == 0 {
                std::thread::sleep(Duration::from_secs(30));
                return;
            }
            let mut stream = stream;
            write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .unwrap();
        });
        (base, rx)
    }

    fn chat_reply(content: &str) -> String {
        json!({
            "id": "x",
            "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                         "finish_reason": "stop"}],
        })
        .to_string()
    }

    fn config(url: String) -> RerankConfig {
        RerankConfig {
            url,
            model: "tiny-test".into(),
            timeout_seconds: 2.0,
        }
    }

    #[test]
    fn follows_the_endpoints_order_and_says_so() {
        let (url, sent) = server(200, chat_reply("Sure!\n```json\n{\"order\": [3, 1]}\n```"));
        let clips: Vec<ChosenClip> = (0..3).map(clip).collect();
        let out = rerank(&config(url), clips, 2, &CancellationToken::new());
        assert_eq!(
            out.iter().map(|c| c.first_sentence).collect::<Vec<_>>(),
            [10, 0]
        );
        let r = out[0].reasons.last().unwrap();
        assert_eq!(r.signal, Signal::Rerank);
        assert_eq!(r.value, 0.0);
        assert!(
            r.text.contains("tiny-test ranked it 1 of 3 (offline: 3)"),
            "{}",
            r.text
        );
        // What went over the wire: the OpenAI chat protocol, deterministic sampling.
        let (line, body) = sent.recv().unwrap();
        assert!(line.starts_with("POST /v1/chat/completions "), "{line}");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["model"], "tiny-test");
        assert_eq!(body["temperature"], 0);
        assert_eq!(body["messages"][0]["role"], "system");
        let user = body["messages"][1]["content"].as_str().unwrap();
        assert!(user.contains("id 2 (25 s): words of clip 1"), "{user}");
    }

    #[test]
    fn failures_keep_the_offline_order() {
        let offline = |n| (0..n).map(clip).collect::<Vec<_>>();
        let expect: Vec<usize> = vec![0, 5];
        let check = |out: Vec<ChosenClip>, what: &str| {
            assert_eq!(
                out.iter().map(|c| c.first_sentence).collect::<Vec<_>>(),
                expect,
                "{what}"
            );
            assert!(out.iter().all(|c| c.reasons.is_empty()), "{what}");
        };
        let none = CancellationToken::new();
        let (url, _s1) = server(500, "{\"error\": \"boom\"}".into());
        check(rerank(&config(url), offline(3), 2, &none), "500");
        let (url, _s2) = server(200, "<html>hello</html>".into());
        check(rerank(&config(url), offline(3), 2, &none), "not JSON");
        let (url, _s3) = server(200, chat_reply("I like the second one best."));
        check(rerank(&config(url), offline(3), 2, &none), "prose");
        let (url, _s4) = server(200, chat_reply("{\"order\": [7, 9]}"));
        check(rerank(&config(url), offline(3), 2, &none), "unknown ids");
        // A server that never answers: the deadline ends the wait (returning at all is the
        // point; how soon is not a test's business).
        let (url, _s5) = server(0, String::new());
        check(rerank(&config(url), offline(3), 2, &none), "silent");
        // Nobody listening.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        check(
            rerank(
                &config(format!("http://127.0.0.1:{port}")),
                offline(3),
                2,
                &none,
            ),
            "refused",
        );
    }

    #[test]
    fn parses_what_models_actually_write() {
        assert_eq!(
            parse_order("{\"order\": [2, 1, 3]}", 3),
            Some(vec![2, 1, 3])
        );
        assert_eq!(parse_order("[3, \"1\"]", 3), Some(vec![3, 1]));
        assert_eq!(
            parse_order(
                "Here you go: {\"ranking\": [\"id 2\", \"clip 3\", 2]} hope it helps",
                3
            ),
            Some(vec![2, 3])
        );
        assert_eq!(
            parse_order(
                "{\"clips\": [{\"id\": 3, \"why\": \"hook\"}, {\"id\": 1}]}",
                3
            ),
            Some(vec![3, 1])
        );
        assert_eq!(parse_order("{\"order\": [0, 4, 2]}", 3), Some(vec![2]));
        assert_eq!(parse_order("the best is 2", 3), None);
        assert_eq!(parse_order("{\"order\": []}", 3), None);
        assert_eq!(parse_order("{\"order\": [\"none\"]}", 3), None);
    }

    #[test]
    fn endpoint_paths() {
        assert_eq!(endpoint("http://h:1"), "http://h:1/v1/chat/completions");
        assert_eq!(endpoint("http://h:1/"), "http://h:1/v1/chat/completions");
        assert_eq!(endpoint("http://h:1/v1"), "http://h:1/v1/chat/completions");
        assert_eq!(
            endpoint("http://h:1/api/v1/chat/completions"),
            "http://h:1/api/v1/chat/completions"
        );
    }
}
