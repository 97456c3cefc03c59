//! The HTTP/1.1 listener that serves cowork's routers.
//!
//! It gives each client a fixed time to send a request's headers, and a time for its body
//! that grows with the body's size. So a client that sends either a byte at a time, or
//! opens connections and sends nothing, cannot hold connections open for long.
//! `axum::serve` sets no such limits. HTTP/2 is not served: browsers speak it only over
//! TLS, which the reverse proxy in front of cowork ends.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request};
use axum::Router;
use bytes::Bytes;
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::time::Sleep;
use tower::ServiceExt;

/// Slowest body upload allowed, in bytes per second, on top of the header read timeout.
/// 8 KiB/s is a weak mobile connection; a 10 MiB upload then has about 21 minutes.
const MIN_BODY_BYTES_PER_SEC: u64 = 8 * 1024;

/// Body size assumed for the body deadline when the request declares no length: the
/// body limit of every route but the upload.
const UNDECLARED_BODY_BYTES: u64 = 64 * 1024;

/// Pause after an accept error that is not about one connection, such as running out of
/// file descriptors, so the loop does not spin while the condition lasts.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(200);

/// Serves `router` on `listener` until `shutdown` completes. Then it stops accepting,
/// lets each open connection finish the request it is serving, and returns once every
/// connection has closed. Upgraded connections (WebSockets) are not waited for.
///
/// `header_read_timeout` bounds the time from the start of a connection, or from the end
/// of the previous response on a kept-alive connection, to the end of the next request's
/// headers. The connection is closed when it runs out.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    header_read_timeout: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let (stop_sender, stop_receiver) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let stream = match accepted {
            Ok((stream, _peer)) => stream,
            Err(error) if is_connection_error(&error) => continue,
            Err(error) => {
                tracing::error!(%error, "accepting a connection failed");
                tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                continue;
            }
        };
        let router = router.clone();
        let service = hyper::service::service_fn(move |request: Request<Incoming>| {
            let deadline = body_deadline(&request, header_read_timeout);
            let request = request.map(|body| Body::new(DeadlineBody::new(body, deadline)));
            router.clone().oneshot(request)
        });
        let mut stop = stop_receiver.clone();
        tokio::spawn(async move {
            let mut builder = http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(header_read_timeout);
            let connection = builder
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades();
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                result = connection.as_mut() => {
                    log_connection_end(result);
                    return;
                }
                _ = stop.wait_for(|stopping| *stopping) => {}
            }
            connection.as_mut().graceful_shutdown();
            log_connection_end(connection.await);
        });
    }
    drop(listener);
    let _ = stop_sender.send(true);
    // Every connection task keeps a receiver until it ends.
    drop(stop_receiver);
    stop_sender.closed().await;
    Ok(())
}

/// Errors of `accept` that concern only the connection being accepted.
fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

fn log_connection_end(result: Result<(), hyper::Error>) {
    if let Err(error) = result {
        if error.is_timeout() {
            tracing::debug!("closed a connection that sent no complete request headers in time");
        } else {
            tracing::debug!(%error, "connection ended with an error");
        }
    }
}

/// Returns the time a request has to deliver its body: the header read timeout, plus the
/// declared length at [`MIN_BODY_BYTES_PER_SEC`].
fn body_deadline(request: &Request<Incoming>, header_read_timeout: Duration) -> Duration {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok())
        .unwrap_or(UNDECLARED_BODY_BYTES);
    header_read_timeout + Duration::from_secs(declared / MIN_BODY_BYTES_PER_SEC)
}

/// The body could not be read within its deadline.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within {0:?}")]
pub struct BodyTimedOut(Duration);

/// A request body that fails once its deadline has passed, so a client that sends it a
/// byte at a time cannot hold the connection. Frames that arrive in time pass unchanged.
struct DeadlineBody {
    inner: Incoming,
    limit: Duration,
    deadline: Pin<Box<Sleep>>,
}

impl DeadlineBody {
    fn new(inner: Incoming, limit: Duration) -> Self {
        Self {
            inner,
            limit,
            deadline: Box::pin(tokio::time::sleep(limit)),
        }
    }
}

impl http_body::Body for DeadlineBody {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(context) {
            return Poll::Ready(frame.map(|frame| frame.map_err(Into::into)));
        }
        if this.deadline.as_mut().poll(context).is_ready() {
            tracing::debug!(limit = ?this.limit, "closed a request whose body arrived too slowly");
            return Poll::Ready(Some(Err(BodyTimedOut(this.limit).into())));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
