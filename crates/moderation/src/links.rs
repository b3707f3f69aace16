//! Link detection: URLs with a scheme, `www.` hosts, bare domains with a common
//! top-level domain, and spelled-out evasions (`example dot com`, `example[.]com`).

use std::ops::Range;

use regex::{Regex, RegexBuilder};

/// Top-level domains recognised in bare domains. Bare words with a dot are too common
/// in chat (`e.g.`, `3.14`, `node.js`) to treat every suffix as a domain.
const TLDS: &str = "com|net|org|io|gg|tv|me|co|info|biz|xyz|app|dev|live|link|site|online|\
club|shop|store|top|ru|cn|uk|de|fr|nl|es|it|pl|br|in|au|ca|us|eu|ly|to|be|cc|ws|su|tk|ml|ga|\
cf|gq|pw|vip|win|bid|icu|cyou|buzz|fun|space|website|tech|stream|chat|social|fans|sex|xxx|\
porn|cam|bet|casino|ua|kz|jp|kr|tw|vn|id|ph|my|sg|ai|gl|gd|lol|click|news|blog|one";

/// Compiled link matcher. Its word boundaries are ASCII ones (`(?-u:\b)`): hosts are
/// ASCII, and Unicode boundaries would push the regex off its fast DFA engine
/// whenever a message has non-ASCII text.
#[derive(Debug)]
pub struct LinkFinder {
    regex: Regex,
}

/// One link found: where it is and its lowercase host name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub span: Range<usize>,
    pub host: String,
}

impl Default for LinkFinder {
    fn default() -> Self {
        let pattern = format!(
            r#"(?x)
            (?P<url>(?-u:\b)(?:https?|ftp)://[^\s<>"'`]+ | (?-u:\b)www\.[^\s<>"'`]+)
            | (?P<bare>(?-u:\b)(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+(?:{TLDS})(?-u:\b)(?:[:/?\#][^\s<>"'`]*)?)
            | (?P<label>(?-u:\b)[a-z0-9][a-z0-9-]*)
              (?: \s*[\[({{]\s*(?:\.|dot)\s*[\])}}]\s* | \s+dot\s+ )
              (?P<tld>(?:{TLDS}))(?-u:\b)
            "#
        );
        let regex = RegexBuilder::new(&pattern)
            .case_insensitive(true)
            .build()
            .expect("the link pattern is valid");
        Self { regex }
    }
}

impl LinkFinder {
    pub fn find(&self, text: &str) -> Vec<Link> {
        let mut links = Vec::new();
        for caps in self.regex.captures_iter(text) {
            let whole = caps.get(0).expect("group 0 always matches");
            let mut end = whole.end();
            // Sentence punctuation after a link is not part of it.
            while end > whole.start()
                && matches!(
                    text.as_bytes()[end - 1],
                    b'.' | b',' | b';' | b':' | b'!' | b'?' | b')' | b']'
                )
            {
                end -= 1;
            }
            let span = whole.start()..end;
            let host = if let Some(label) = caps.name("label") {
                let tld = caps.name("tld").map_or("", |t| t.as_str());
                format!("{}.{}", label.as_str(), tld)
            } else {
                // An e-mail address is personal data, not a link.
                if caps.name("bare").is_some() && text[..span.start].ends_with('@') {
                    continue;
                }
                host_of(&text[span.clone()])
            };
            links.push(Link {
                span,
                host: host.to_ascii_lowercase(),
            });
        }
        links
    }
}

/// Host part of a URL or bare domain: no scheme, user info, port, path or query.
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    host.split(':').next().unwrap_or(host).to_owned()
}

/// Whether `host` is one of `allowed` or a subdomain of one.
pub fn host_allowed(host: &str, allowed: &[String]) -> bool {
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
            .find(text)
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
    }

    #[test]
    fn ignores_ordinary_dotted_words_and_emails() {
        assert!(hosts("e.g. 3.14 node.js i.e. ok...sure").is_empty());
        assert!(hosts("mail bob@example.com").is_empty());
    }

    #[test]
    fn span_excludes_trailing_punctuation() {
        let text = "see example.com.";
        let links = LinkFinder::default().find(text);
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
