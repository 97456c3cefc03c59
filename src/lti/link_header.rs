//! Lenient parsing of HTTP `Link` headers (RFC 8288) for paging through platform services.
//!
//! Platforms send next-page links in several shapes: with or without angle brackets,
//! with `&amp;` and other HTML entities left in the URL, and with typographic quotes
//! around the `rel` value. This parser accepts all of them.

/// Returns the target of the first link whose `rel` includes `relation`, as written.
pub fn find_relation<'a>(
    values: impl IntoIterator<Item = &'a str>,
    relation: &str,
) -> Option<String> {
    values
        .into_iter()
        .flat_map(|value| split_links(&decode_entities(value)))
        .find(|(_, relations)| {
            relations
                .iter()
                .any(|candidate| candidate.eq_ignore_ascii_case(relation))
        })
        .map(|(target, _)| target)
}

/// Splits one header value into `(target, relations)` pairs.
fn split_links(value: &str) -> Vec<(String, Vec<String>)> {
    let mut links: Vec<String> = Vec::new();
    // A comma separates links, but an unbracketed URL may itself contain commas: a piece
    // that does not start like a link target belongs to the previous link.
    for piece in value.split(',') {
        let trimmed = piece.trim_start();
        let starts_link = trimmed.starts_with('<') || trimmed.contains("://");
        match links.last_mut() {
            Some(previous) if !starts_link => {
                previous.push(',');
                previous.push_str(piece);
            }
            _ => links.push(piece.to_string()),
        }
    }
    links.iter().filter_map(|link| parse_link(link)).collect()
}

fn parse_link(link: &str) -> Option<(String, Vec<String>)> {
    let link = link.trim();
    let (target, parameters) = match link.strip_prefix('<') {
        Some(rest) => {
            let end = rest.find('>')?;
            (&rest[..end], &rest[end + 1..])
        }
        None => match link.find(';') {
            Some(end) => (&link[..end], &link[end..]),
            None => (link, ""),
        },
    };
    let target = target.trim();
    if target.is_empty() {
        return None;
    }
    let mut relations = Vec::new();
    for parameter in parameters.split(';') {
        let Some((name, value)) = parameter.split_once('=') else {
            continue;
        };
        if !name.trim().eq_ignore_ascii_case("rel") {
            continue;
        }
        let value = value.trim().trim_matches(is_quote);
        relations.extend(value.split_whitespace().map(str::to_string));
    }
    Some((target.to_string(), relations))
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '\'' | '“' | '”' | '„' | '‘' | '’' | '«' | '»')
}

/// Replaces the HTML entities that appear in copied or templated Link headers.
fn decode_entities(value: &str) -> String {
    value
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#38;", "&")
        .replace("&#x26;", "&")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::find_relation;

    fn next(value: &str) -> Option<String> {
        find_relation([value], "next")
    }

    #[test]
    fn standard_form() {
        let value = r#"<https://m.example/memberships?page=2>; rel="next""#;
        assert_eq!(next(value).unwrap(), "https://m.example/memberships?page=2");
    }

    #[test]
    fn several_links_and_relations() {
        let value =
            r#"<https://m.example/a?p=9>; rel="last", <https://m.example/a?p=2>; rel="prev next""#;
        assert_eq!(next(value).unwrap(), "https://m.example/a?p=2");
    }

    #[test]
    fn without_angle_brackets() {
        let value = "https://m.example/a?p=2&limit=2; rel=next";
        assert_eq!(next(value).unwrap(), "https://m.example/a?p=2&limit=2");
    }

    #[test]
    fn html_entities_decoded() {
        let value = "&lt;https://m.example/a?p=2&amp;limit=2&gt;; rel=&quot;next&quot;";
        assert_eq!(next(value).unwrap(), "https://m.example/a?p=2&limit=2");
    }

    #[test]
    fn typographic_quotes() {
        let value = "<https://m.example/a?p=2>; rel=“next”";
        assert_eq!(next(value).unwrap(), "https://m.example/a?p=2");
        let value = "<https://m.example/a?p=3>; REL=‘Next’";
        assert_eq!(next(value).unwrap(), "https://m.example/a?p=3");
    }

    #[test]
    fn unbracketed_url_with_comma() {
        let value = "https://m.example/a?ids=1,2; rel=next";
        assert_eq!(next(value).unwrap(), "https://m.example/a?ids=1,2");
    }

    #[test]
    fn absent_or_empty_relation() {
        assert_eq!(next(r#"<https://m.example/a>; rel="prev""#), None);
        assert_eq!(next(r#"<>; rel="next""#), None);
        assert_eq!(next(""), None);
    }
}
