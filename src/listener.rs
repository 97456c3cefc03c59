//! The HTTP/1.1 listener that serves cowork's routers.
//!
//! It gives each client a fixed time to send a request's headers, so a client that sends
//! them a byte at a time, or opens connections and sends nothing, cannot hold
//! connections open for long. `axum::serve` sets no such limit. HTTP/2 is not served:
//! browsers speak it only over TLS, which the reverse proxy in front of cowork ends.

use std::future::Future;
use std::io;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;

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
        let service = TowerToHyperService::new(router.clone());
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
    // Every connection task holds a receiver until it ends.
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
