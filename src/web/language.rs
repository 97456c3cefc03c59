//! The language of error responses. An error is sent in the language of the person
//! who made the request, taken from the first of these that applies:
//!
//! 1. the locale of the request's session, when the request carries a valid session;
//! 2. the locale of a rejected launch, when its id_token carries one;
//! 3. the request's `Accept-Language` header;
//! 4. English.
//!
//! Handlers resolve the session anyway, so [`note_locale`] lets them record its locale
//! for the current request, and [`localize_errors`] reads it back without another
//! database query. Only when an error comes before any handler looked for a session
//! does the layer look the session up itself.

use std::cell::Cell;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::Response;

use crate::app::AppState;
use crate::error::ErrorDetails;
use crate::i18n::Lang;
use crate::session::{self, TOKEN_PARAM};
use crate::unix_now;
use crate::web::rooms::TOKEN_HEADER;

/// The person's language as the request's handlers noted it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Noted {
    /// No handler looked for a session or a launch locale.
    Nothing,
    /// A handler looked, and found this locale or none.
    Locale(Option<Lang>),
}

tokio::task_local! {
    /// Set for each request by [`localize_errors`]. A handler runs in the task of the
    /// request that called it, so it can write here without access to the request.
    static NOTED: Cell<Noted>;
}

/// Records the locale of the request's session or launch, or that it has none, as the
/// language of any error this request returns. Outside a request it does nothing.
pub fn note_locale(locale: Option<&str>) {
    let noted = Noted::Locale(locale.map(|locale| Lang::from_locale(Some(locale))));
    // Fails only outside the layer's scope, such as in a unit test of a handler helper.
    let _ = NOTED.try_with(|cell| cell.set(noted));
}

/// Renders each error response again in the language of the person who made the
/// request. Error responses carry their [`ErrorDetails`] and are first rendered in
/// English, so responses in English pass through unchanged. The layer must run inside
/// any layer that adds headers, because the new response has only its content type.
pub async fn localize_errors(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers().clone();
    let query_token = query_token(request.uri().query());
    let space_id = space_of_path(request.uri().path());
    let (response, noted) = NOTED
        .scope(Cell::new(Noted::Nothing), async {
            let response = next.run(request).await;
            (response, NOTED.with(Cell::get))
        })
        .await;
    let Some(details) = response.extensions().get::<ErrorDetails>() else {
        return response;
    };
    let session_lang = match noted {
        Noted::Locale(lang) => lang,
        Noted::Nothing => {
            let tokens = SessionTokens {
                headers: &headers,
                query_token: query_token.as_deref(),
                space_id,
            };
            session_locale(&state, &tokens).await
        }
    };
    let lang = session_lang
        .or_else(|| accepted_language(&headers))
        .unwrap_or(Lang::En);
    if lang == Lang::En {
        return response;
    }
    details.render(lang)
}

/// The places where a request may carry its session token.
struct SessionTokens<'a> {
    headers: &'a HeaderMap,
    query_token: Option<&'a str>,
    /// The space named by the path, whose session cookie counts.
    space_id: Option<i64>,
}

/// Looks up the session of a request that no handler resolved, with the same token
/// sources as the handlers: the token header, the `lt` parameter, the space's cookie.
async fn session_locale(state: &AppState, tokens: &SessionTokens<'_>) -> Option<Lang> {
    let header_token = tokens
        .headers
        .get(TOKEN_HEADER)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string);
    let cookie_token = tokens
        .space_id
        .and_then(|space_id| session::token_from_cookies(tokens.headers, space_id));
    let candidates = [
        header_token.as_deref(),
        tokens.query_token,
        cookie_token.as_deref(),
    ];
    let (session_id, space_id) = candidates
        .into_iter()
        .flatten()
        .find_map(|token| state.session_key.verify(token))?;
    match state.store.session(&session_id, unix_now()).await {
        Ok(Some(view)) if view.space_id == space_id => {
            view.locale.map(|locale| Lang::from_locale(Some(&locale)))
        }
        Ok(_) => None,
        Err(error) => {
            tracing::warn!(%error, "looking up the session for an error's language failed");
            None
        }
    }
}

fn accepted_language(headers: &HeaderMap) -> Option<Lang> {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .and_then(Lang::from_accept_language)
}

/// Returns the `lt` parameter of a query string.
fn query_token(query: Option<&str>) -> Option<String> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(name, _)| name == TOKEN_PARAM)
        .map(|(_, value)| value.into_owned())
}

/// Returns the space id of a path under `/spaces/{space_id}`.
fn space_of_path(path: &str) -> Option<i64> {
    path.strip_prefix("/spaces/")?
        .split('/')
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn space_read_from_path() {
        assert_eq!(space_of_path("/spaces/12"), Some(12));
        assert_eq!(space_of_path("/spaces/12/help/requests"), Some(12));
        assert_eq!(space_of_path("/spaces/x/help"), None);
        assert_eq!(space_of_path("/lti/launch"), None);
    }

    #[test]
    fn token_read_from_query() {
        assert_eq!(query_token(Some("a=1&lt=abc")).as_deref(), Some("abc"));
        assert_eq!(query_token(Some("a=1")), None);
        assert_eq!(query_token(None), None);
    }

    #[test]
    fn locale_noted_only_inside_scope() {
        note_locale(Some("ru"));
        let noted = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(NOTED.scope(Cell::new(Noted::Nothing), async {
                note_locale(Some("ru-RU"));
                NOTED.with(Cell::get)
            }));
        assert_eq!(noted, Noted::Locale(Some(Lang::Ru)));
    }
}
