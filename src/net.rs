//! Outbound HTTP to URLs that a platform or an admin supplied: OpenID configurations,
//! JWKS documents, registration endpoints and membership services.
//!
//! Such a URL could name a host inside cowork's own network, so every request goes
//! through [`PlatformHttp`]. It rejects private, loopback, link-local, unique-local and
//! unspecified addresses, both in the URL and after DNS resolution. It also bounds each
//! request's time and response size. `allow_private_addresses` lifts the address check for
//! test platforms and the demo, which listen on 127.0.0.1.

use std::error::Error as StdError;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::{redirect, Method, RequestBuilder, Response};
use url::{Host, Url};

/// Time allowed to open a TCP (and TLS) connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Time allowed for a whole request, from connecting to the last byte of the body.
const TOTAL_TIMEOUT: Duration = Duration::from_secs(20);
/// Redirects followed before a request fails.
const MAX_REDIRECTS: usize = 5;

/// Advice for an admin, appended to every rejection of a private address.
const ALLOW_HINT: &str = "cowork sends no requests to private, loopback or link-local \
     addresses; set allow_private_addresses = true (COWORK_ALLOW_PRIVATE_ADDRESSES=true) only \
     when the platform really runs on such a network";

#[derive(Debug, thiserror::Error)]
pub enum OutboundError {
    #[error("{url:?} is not a valid http:// or https:// URL: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("{url} points at {address}, a private or local address: {ALLOW_HINT}")]
    PrivateAddress { url: String, address: IpAddr },
}

/// Returns whether `address` may receive requests when private addresses are not allowed.
pub fn is_public(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(mapped) => is_public_v4(mapped),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(address: Ipv4Addr) -> bool {
    let [a, b, ..] = address.octets();
    let shared = a == 100 && (64..128).contains(&b); // 100.64.0.0/10, carrier-grade NAT
    let this_network = a == 0; // 0.0.0.0/8
    !(address.is_private()
        || address.is_loopback()
        || address.is_link_local()
        || address.is_unspecified()
        || address.is_broadcast()
        || address.is_multicast()
        || shared
        || this_network)
}

fn is_public_v6(address: Ipv6Addr) -> bool {
    let first = address.segments()[0];
    let unique_local = first & 0xfe00 == 0xfc00; // fc00::/7
    let link_local = first & 0xffc0 == 0xfe80; // fe80::/10
    let site_local = first & 0xffc0 == 0xfec0; // fec0::/10, deprecated but still routed locally
                                               // ::a.b.c.d, the deprecated IPv4-compatible form, reaches the embedded IPv4 address
                                               // on some stacks.
    let compatible = address.segments()[..6].iter().all(|s| *s == 0)
        && !is_public_v4(Ipv4Addr::from(address.to_bits() as u32));
    // 64:ff9b::/96 is NAT64, translated to the embedded IPv4 address by a gateway.
    let segments = address.segments();
    let nat64 = segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0]
        && !is_public_v4(Ipv4Addr::from(address.to_bits() as u32));
    !(address.is_loopback()
        || address.is_unspecified()
        || address.is_multicast()
        || unique_local
        || link_local
        || site_local
        || compatible
        || nat64)
}

/// Resolves names with the system resolver and drops every address that is not public,
/// so a host name cannot lead a request to 127.0.0.1 or the local network.
struct PublicOnlyResolver;

impl Resolve for PublicOnlyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_string();
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = resolved
                .iter()
                .copied()
                .filter(|address| is_public(address.ip()))
                .collect();
            if public.is_empty() {
                let rejected = resolved
                    .first()
                    .map(|address| address.ip().to_string())
                    .unwrap_or_else(|| "no address".into());
                let message = format!(
                    "host {host} resolves to {rejected}, a private or local address: {ALLOW_HINT}"
                );
                return Err(Box::<dyn StdError + Send + Sync>::from(message));
            }
            let addresses: Addrs = Box::new(public.into_iter());
            Ok(addresses)
        })
    }
}

/// An HTTP client for platform-supplied URLs that enforces the address policy.
#[derive(Clone)]
pub struct PlatformHttp {
    client: reqwest::Client,
    allow_private: bool,
}

impl PlatformHttp {
    /// Builds the client; `allow_private` lets requests reach private and local addresses.
    pub fn new(allow_private: bool) -> Self {
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("cowork/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(TOTAL_TIMEOUT)
            // A proxy would resolve the target itself, out of reach of the address check.
            .no_proxy()
            .redirect(redirect_policy(allow_private));
        if !allow_private {
            builder = builder.dns_resolver(Arc::new(PublicOnlyResolver));
        }
        let client = builder
            .build()
            .expect("HTTP client with default TLS settings");
        Self {
            client,
            allow_private,
        }
    }

    /// Returns the underlying client. Host names still pass the address check when a
    /// request connects; a caller that builds requests itself checks literal IPs in its
    /// URLs with [`check_url`].
    pub fn client(&self) -> reqwest::Client {
        self.client.clone()
    }

    pub fn allows_private(&self) -> bool {
        self.allow_private
    }

    /// Starts a request to `url` after checking its scheme and any literal IP address.
    pub fn request(&self, method: Method, url: &str) -> Result<RequestBuilder, OutboundError> {
        let parsed = check_url(url, self.allow_private)?;
        Ok(self.client.request(method, parsed))
    }

    pub fn get(&self, url: &str) -> Result<RequestBuilder, OutboundError> {
        self.request(Method::GET, url)
    }

    pub fn post(&self, url: &str) -> Result<RequestBuilder, OutboundError> {
        self.request(Method::POST, url)
    }
}

/// Parses `url` and, unless private addresses are allowed, rejects a literal IP host that
/// is not public. Host names are checked by the resolver when the request connects.
pub fn check_url(url: &str, allow_private: bool) -> Result<Url, OutboundError> {
    let invalid = |reason: String| OutboundError::InvalidUrl {
        url: url.to_string(),
        reason,
    };
    let parsed = Url::parse(url).map_err(|error| invalid(error.to_string()))?;
    if parsed.scheme() != "http" && parsed.scheme() != "https" {
        return Err(invalid(format!(
            "the scheme {:?} is not http",
            parsed.scheme()
        )));
    }
    let literal = match parsed.host() {
        Some(Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
        Some(Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
        Some(Host::Domain(_)) => None,
        None => return Err(invalid("it has no host".into())),
    };
    if let Some(address) = literal.filter(|address| !allow_private && !is_public(*address)) {
        return Err(OutboundError::PrivateAddress {
            url: url.to_string(),
            address,
        });
    }
    Ok(parsed)
}

fn redirect_policy(allow_private: bool) -> redirect::Policy {
    redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() >= MAX_REDIRECTS {
            return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
        }
        match check_url(attempt.url().as_str(), allow_private) {
            Ok(_) => attempt.follow(),
            Err(error) => attempt.error(error),
        }
    })
}

/// Reads a response body, failing once it grows past `max_bytes`.
pub async fn read_capped(mut response: Response, max_bytes: usize) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|error| describe(&error))? {
        if body.len() + chunk.len() > max_bytes {
            return Err(format!("the response is larger than {max_bytes} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Formats an error with its chain of causes, e.g. "error sending request: connection refused".
pub fn describe(error: &dyn StdError) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_local_addresses_rejected() {
        let rejected = [
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "127.0.0.1",
            "127.255.0.9",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::10.0.0.1",
            "64:ff9b::7f00:1",
        ];
        for text in rejected {
            let address: IpAddr = text.parse().unwrap();
            assert!(!is_public(address), "{text} must be rejected");
        }
    }

    #[test]
    fn public_addresses_accepted() {
        for text in [
            "93.184.216.34",
            "172.32.0.1",
            "100.128.0.1",
            "2001:db8::1",
            "2606:4700::1111",
            "::ffff:93.184.216.34",
            "64:ff9b::93.184.216.34",
        ] {
            let address: IpAddr = text.parse().unwrap();
            assert!(is_public(address), "{text} must be accepted");
        }
    }

    #[test]
    fn literal_private_url_rejected_unless_allowed() {
        let error = check_url("http://127.0.0.1:8080/mod/lti/certs.php", false).unwrap_err();
        assert!(
            error.to_string().contains("private or local address"),
            "{error}"
        );
        assert!(
            error.to_string().contains("COWORK_ALLOW_PRIVATE_ADDRESSES"),
            "{error}"
        );
        assert!(check_url("http://[::1]:8080/", false).is_err());
        assert!(check_url("http://127.0.0.1:8080/", true).is_ok());
        assert!(check_url("https://moodle.example.edu/", false).is_ok());
    }

    #[test]
    fn non_http_scheme_rejected() {
        let error = check_url("file:///etc/passwd", true).unwrap_err();
        assert!(error.to_string().contains("not http"), "{error}");
    }
}
