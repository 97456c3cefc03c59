//! Message text to safe HTML: a small Markdown subset, sanitized on the server.
//!
//! Raw HTML in a message is shown as text, never interpreted. Only formatting tags and
//! http, https and mailto links survive, and links open in a new tab with
//! `rel="nofollow noopener noreferrer ugc"`. The server never fetches a linked URL.

use std::collections::HashSet;

use pulldown_cmark::{Event, Options, Parser};

use crate::i18n::Msg;

/// Maximum message body length, in characters.
pub const MAX_BODY_CHARS: usize = 4000;

const ALLOWED_TAGS: [&str; 13] = [
    "p",
    "br",
    "em",
    "strong",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "hr",
];

/// Renders message Markdown to sanitized HTML.
pub fn render(body: &str) -> String {
    let parser = Parser::new_ext(body, Options::ENABLE_STRIKETHROUGH).map(|event| match event {
        // Inline and block HTML become literal text, escaped by the HTML writer.
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        // Images would make every reader's browser fetch a URL the author chose.
        Event::Start(pulldown_cmark::Tag::Image { dest_url, .. }) => {
            Event::Text(format!("[image: {dest_url}]").into())
        }
        Event::End(pulldown_cmark::TagEnd::Image) => Event::Text("".into()),
        other => other,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    sanitize(&html)
}

fn sanitize(html: &str) -> String {
    let tags: HashSet<&str> = ALLOWED_TAGS.into_iter().collect();
    let schemes: HashSet<&str> = ["http", "https", "mailto"].into_iter().collect();
    ammonia::Builder::default()
        .tags(tags)
        .generic_attributes(HashSet::new())
        .tag_attributes(std::iter::once(("a", ["href"].into_iter().collect())).collect())
        .url_schemes(schemes)
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some("nofollow noopener noreferrer ugc"))
        .set_tag_attribute_value("a", "target", "_blank")
        .clean(html)
        .to_string()
}

/// Checks a message body: not blank and at most [`MAX_BODY_CHARS`] characters.
pub fn check_body(body: &str) -> Result<(), Msg> {
    if body.trim().is_empty() {
        return Err(Msg::new("error-chat-body-empty"));
    }
    if body.contains('\0') {
        return Err(Msg::new("error-chat-body-nul"));
    }
    let length = body.chars().count();
    if length > MAX_BODY_CHARS {
        return Err(Msg::new("error-chat-body-too-long")
            .arg("length", length)
            .arg("max", MAX_BODY_CHARS));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_subset_rendered() {
        assert_eq!(
            render("**bold** and _it_"),
            "<p><strong>bold</strong> and <em>it</em></p>\n"
        );
        assert_eq!(render("`code`"), "<p><code>code</code></p>\n");
        assert_eq!(render("~~gone~~"), "<p><del>gone</del></p>\n");
    }

    #[test]
    fn links_get_safe_attributes() {
        let html = render("[site](https://example.edu/page)");
        assert!(html.contains("href=\"https://example.edu/page\""), "{html}");
        assert!(
            html.contains("rel=\"nofollow noopener noreferrer ugc\""),
            "{html}"
        );
        assert!(html.contains("target=\"_blank\""), "{html}");
    }

    #[test]
    fn hostile_payloads_neutralised() {
        let payloads = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "[click](javascript:alert(1))",
            "[click](JaVaScRiPt:alert(1))",
            "[click](data:text/html;base64,PHNjcmlwdD4=)",
            "<svg onload=alert(1)>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<p onclick=\"alert(1)\">x</p>",
            "![x](https://tracker.example/pixel.png)",
            "<style>body{display:none}</style>",
            "[x](vbscript:msgbox(1))",
        ];
        for payload in payloads {
            let html = render(payload);
            for tag in tags(&html) {
                let name = tag
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .trim_start_matches('/');
                assert!(ALLOWED_TAGS.contains(&name), "{payload:?} produced <{tag}>");
                let lower = tag.to_lowercase();
                assert!(
                    !lower.contains(" on"),
                    "{payload:?} produced an event handler: <{tag}>"
                );
                assert!(
                    !lower.contains("src="),
                    "{payload:?} produced a source: <{tag}>"
                );
                for scheme in ["javascript:", "vbscript:", "data:"] {
                    assert!(
                        !lower.contains(scheme),
                        "{payload:?} produced {scheme} in <{tag}>"
                    );
                }
            }
        }
    }

    /// The contents of every markup tag in `html`, without the angle brackets.
    fn tags(html: &str) -> Vec<&str> {
        html.split('<')
            .skip(1)
            .filter_map(|rest| rest.split_once('>').map(|(tag, _)| tag))
            .collect()
    }

    #[test]
    fn raw_html_shown_as_text() {
        let html = render("<b>hi</b>");
        assert!(html.contains("&lt;b&gt;hi&lt;/b&gt;"), "{html}");
    }

    #[test]
    fn body_length_checked() {
        assert!(check_body("  ").is_err());
        assert!(check_body("a\0b").is_err());
        assert!(check_body(&"я".repeat(MAX_BODY_CHARS)).is_ok());
        assert!(check_body(&"я".repeat(MAX_BODY_CHARS + 1)).is_err());
    }
}
