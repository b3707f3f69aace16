//! Link detection: URLs with a scheme, `www.` hosts, bare domains with a common
//! top-level domain, and spelled-out evasions (`example dot com`, `example[.]com`).

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

use super::Finding;

/// Top-level domains recognised in bare domains. Bare words with a dot are too common
/// in chat (`e.g.`, `3.14`, `node.js`) to treat every suffix as a domain.
const TLDS: &str = "com|net|org|io|gg|tv|me|co|info|biz|xyz|app|dev|live|link|site|online|\
club|shop|store|top|ru|cn|uk|de|fr|nl|es|it|pl|br|in|au|ca|us|eu|ly|to|be|cc|ws|su|tk|ml|ga|\
cf|gq|pw|vip|win|bid|icu|cyou|buzz|fun|space|website|tech|stream|chat|social|fans|sex|xxx|\
porn|cam|bet|casino|ua|kz|jp|kr|tw|vn|id|ph|my|sg|ai|gl|gd|lol|click|news|blog|one";

/// Link candidates. ASCII-only and without the TLD list: hosts are ASCII, and both
/// Unicode case folding and a 100-way case-insensitive alternation made the pattern
/// take over a millisecond to compile, a cost every cold start paid. The top-level
/// domain and a URL's tail are checked in code instead.
const CANDIDATES: &str = r"(?xi-u)
    # The start of a URL.
    \b(?:https?|ftp):// | \bwww\.
    # A bare dotted name.
  | \b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}\b
    # A label, a spelled-out dot, and a top-level domain.
  | \b[a-z0-9][a-z0-9-]*
    (?: \s*[\[({]\s*(?:\.|dot)\s*[\])}]\s* | \s+dot\s+ )
    [a-z]{2,}\b
";

/// Link matcher. Its pattern is compiled on the first message that may hold a link:
/// about a third of a cold start's work otherwise, paid before the first decision even
/// when that message has no dot in it.
#[derive(Debug, Default)]
pub struct LinkFinder {
    regex: OnceLock<Regex>,
}

/// One link: where it is and its lowercase host name.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Link {
    pub span: Range<usize>,
    pub host: String,
}

impl LinkFinder {
    /// The links whose host is not `allowed`; the detail is the host.
    pub fn find(&self, text: &str, allowed: &[String]) -> Vec<Finding> {
        self.links(text)
            .into_iter()
            .filter(|l| !host_allowed(&l.host, allowed))
            .map(|l| Finding::span(l.span, l.host))
            .collect()
    }

    fn links(&self, text: &str) -> Vec<Link> {
        let mut links = Vec::new();
        if !may_hold_link(text.as_bytes()) {
            return links;
        }
        let regex = self
            .regex
            .get_or_init(|| Regex::new(CANDIDATES).expect("the link pattern is valid"));
        let mut at = 0;
        while let Some(whole) = regex.find_at(text, at) {
            // Which alternative matched shows in the text, which is cheaper than asking
            // the regex for its groups.
            let candidate = whole.as_str();
            let found = if is_url_start(candidate) {
                let end = link_end(text, whole.end());
                let span = whole.start()..end;
                (end > whole.end()).then(|| Link {
                    host: host_of(&text[span.clone()]),
                    span,
                })
            } else if candidate.bytes().all(is_host_byte) {
                bare_domain(text, whole.range())
            } else {
                // A spelled-out dot: the label is the leading word, the TLD the
                // trailing letters.
                let label_end = candidate
                    .bytes()
                    .position(|b| !(b.is_ascii_alphanumeric() || b == b'-'))
                    .unwrap_or(candidate.len());
                let tld_start = candidate
                    .bytes()
                    .rposition(|b| !b.is_ascii_alphabetic())
                    .map_or(0, |i| i + 1);
                let (label, tld) = (&candidate[..label_end], &candidate[tld_start..]);
                is_tld(tld).then(|| Link {
                    span: whole.range(),
                    host: format!("{label}.{tld}"),
                })
            };
            match found {
                Some(mut link) => {
                    at = link.span.end;
                    link.host.make_ascii_lowercase();
                    links.push(link);
                }
                // Candidates start with an ASCII character: `+ 1` is a char boundary.
                None => at = whole.start() + 1,
            }
        }
        links
    }
}

/// Whether a candidate is the start of a URL: the regex tries that alternative first.
fn is_url_start(candidate: &str) -> bool {
    ["http://", "https://", "ftp://", "www."]
        .iter()
        .any(|start| {
            candidate
                .get(..start.len())
                .is_some_and(|s| s.eq_ignore_ascii_case(start))
        })
}

/// Bytes of a bare dotted name.
fn is_host_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'-'
}

/// Whether `text` has what every candidate has: a dot, the `:` of `://`, or a
/// spelled-out `dot`. Many chat lines have none, and these byte searches are much
/// cheaper than the regex scan.
fn may_hold_link(text: &[u8]) -> bool {
    memchr::memchr2(b'.', b':', text).is_some()
        || memchr::memchr2_iter(b'd', b'D', text).any(|i| {
            text[i + 1..]
                .get(..2)
                .is_some_and(|ot| ot.eq_ignore_ascii_case(b"ot"))
        })
}

/// A dotted name whose last label, or an earlier one, is a known top-level domain
/// (`spam.com.evil` is `spam.com`); e-mail domains are personal data, not links.
fn bare_domain(text: &str, candidate: Range<usize>) -> Option<Link> {
    // An e-mail's domain is personal data; a name after a slash is a file in a path
    // (`/path/to/file.pl`), not a host.
    if text[..candidate.start].ends_with(['@', '/', '\\']) {
        return None;
    }
    let name = &text[candidate.clone()];
    let labels: Vec<&str> = name.split('.').collect();
    let last = (1..labels.len()).rev().find(|&i| is_tld(labels[i]))?;
    let host_len = labels[..=last].iter().map(|l| l.len() + 1).sum::<usize>() - 1;
    let host_end = candidate.start + host_len;
    let has_path = last == labels.len() - 1 && text[host_end..].starts_with([':', '/', '?', '#']);
    let end = if has_path {
        link_end(text, host_end)
    } else {
        host_end
    };
    Some(Link {
        span: candidate.start..end,
        host: text[candidate.start..host_end].to_owned(),
    })
}

fn is_tld(label: &str) -> bool {
    TLDS.split('|').any(|tld| tld.eq_ignore_ascii_case(label))
}

/// End of a URL that continues at `from`: up to white space or a quote, without the
/// sentence punctuation that follows it.
fn link_end(text: &str, from: usize) -> usize {
    let tail = &text[from..];
    let len = tail
        .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | '`'))
        .unwrap_or(tail.len());
    let trimmed = tail[..len].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']']);
    from + trimmed.len()
}

/// Host part of a URL or bare domain: no scheme, user info, port, path or query.
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    host.split(':').next().unwrap_or(host).to_owned()
}

/// Whether `host` is one of `allowed` or a subdomain of one.
fn host_allowed(host: &str, allowed: &[String]) -> bool {
    let host = host.trim_end_matches('.');
    allowed.iter().any(|d| {
        host == d
            || host
                .strip_suffix(d.as_str())
                .is_some_and(|prefix| prefix.ends_with('.'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(text: &str) -> Vec<String> {
        LinkFinder::default()
            .links(text)
            .into_iter()
            .map(|l| l.host)
            .collect()
    }

    #[test]
    fn finds_urls_domains_and_spelled_out_links() {
        assert_eq!(
            hosts("go to https://Evil.example.com/x?y=1."),
            ["evil.example.com"]
        );
        assert_eq!(hosts("www.spam.net rocks"), ["www.spam.net"]);
        assert_eq!(hosts("visit cheap-skins.gg now"), ["cheap-skins.gg"]);
        assert_eq!(hosts("buy at spam dot com"), ["spam.com"]);
        assert_eq!(hosts("buy at spam[.]com"), ["spam.com"]);
        assert_eq!(hosts("buy at spam (dot) com"), ["spam.com"]);
        assert_eq!(hosts("at Cheap-Skins DOT GG"), ["cheap-skins.gg"]);
    }

    #[test]
    fn ignores_ordinary_dotted_words_and_emails() {
        assert!(hosts("e.g. 3.14 node.js i.e. ok...sure").is_empty());
        assert!(hosts("mail bob@example.com").is_empty());
    }

    #[test]
    fn top_level_domain_is_checked_in_code() {
        assert_eq!(hosts("HTTPS://X.COM"), ["x.com"]);
        assert_eq!(hosts("spam.com.evil"), ["spam.com"]);
        assert_eq!(hosts("a.notatld then foo.bar dot com"), ["bar.com"]);
        assert_eq!(hosts("x dot yz, x (dot) com"), ["x.com"]);
        assert!(hosts("see www. or https:// alone").is_empty());
    }

    #[test]
    fn files_in_paths_are_not_domains() {
        assert!(hosts("edit /path/to/file.pl and C:\\tools\\run.sh").is_empty());
        assert_eq!(hosts("see perl.org/path/x.pl"), ["perl.org"]);
    }

    #[test]
    fn paths_follow_bare_domains() {
        let text = "at example.com/p?q=1, and example.com.evil/p";
        let spans: Vec<&str> = LinkFinder::default()
            .links(text)
            .into_iter()
            .map(|l| &text[l.span])
            .collect();
        assert_eq!(spans, ["example.com/p?q=1", "example.com"]);
    }

    #[test]
    fn span_excludes_trailing_punctuation() {
        let text = "see example.com.";
        let links = LinkFinder::default().links(text);
        assert_eq!(&text[links[0].span.clone()], "example.com");
    }

    #[test]
    fn allowlist_covers_subdomains_only() {
        let allowed = vec!["example.com".to_owned()];
        assert!(host_allowed("example.com", &allowed));
        assert!(host_allowed("www.example.com", &allowed));
        assert!(!host_allowed("badexample.com", &allowed));
        assert!(!host_allowed("example.com.evil.net", &allowed));
    }
}
