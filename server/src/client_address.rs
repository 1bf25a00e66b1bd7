//! Who a request comes from, for in-memory rate limits only (never stored or logged).
//!
//! Behind a reverse proxy every request arrives from the proxy. `PORTAL_TRUSTED_PROXIES`
//! names the address ranges of proxies whose `Forwarded` / `X-Forwarded-For` headers are
//! believed; from anyone else those headers are ignored, so a client cannot pick its own
//! address to escape a limit.

use std::net::IpAddr;

use app::ssr::request::ClientAddress;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::HeaderMap;

/// An address range such as `10.0.0.0/8`, `2001:db8::/32` or a single address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddressRange {
    network: IpAddr,
    prefix: u8,
}

impl AddressRange {
    /// Parses `address` or `address/prefix`.
    #[must_use]
    pub fn parse(text: &str) -> Option<AddressRange> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let network: IpAddr = address.parse().ok()?;
        let bits = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(prefix) => prefix.parse::<u8>().ok().filter(|p| *p <= bits)?,
            None => bits,
        };
        Some(AddressRange { network, prefix })
    }

    /// Whether `address` lies in the range (IPv4-mapped IPv6 addresses count as IPv4).
    #[must_use]
    pub fn contains(&self, address: IpAddr) -> bool {
        match (self.network, canonical(address)) {
            (IpAddr::V4(network), IpAddr::V4(address)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(network) & mask == u32::from(address) & mask
            }
            (IpAddr::V6(network), IpAddr::V6(address)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(network) & mask == u128::from(address) & mask
            }
            _ => false,
        }
    }
}

fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        IpAddr::V4(_) => address,
    }
}

/// The addresses a request passed through, nearest last: `Forwarded: for=…` when present,
/// else `X-Forwarded-For`.
fn forwarded_chain(headers: &HeaderMap) -> Vec<IpAddr> {
    let forwarded: Vec<IpAddr> = headers
        .get_all(http::header::FORWARDED)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (key, value) = pair.trim().split_once('=')?;
                key.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| node_address(value.trim().trim_matches('"')))?
            })
        })
        .collect();
    if !forwarded.is_empty() {
        return forwarded;
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|item| node_address(item.trim()))
        .collect()
}

/// An address from a `for=` node or list item: `192.0.2.1`, `192.0.2.1:4711`,
/// `[2001:db8::1]` or `[2001:db8::1]:4711`.
fn node_address(node: &str) -> Option<IpAddr> {
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    node.parse().ok().or_else(|| {
        node.rsplit_once(':')
            .and_then(|(host, _)| host.parse().ok())
    })
}

/// The client's address: the peer, unless the peer is a trusted proxy; then the nearest
/// address in the forwarded chain that is not itself a trusted proxy.
#[must_use]
pub fn client_of(peer: IpAddr, headers: &HeaderMap, trusted: &[AddressRange]) -> IpAddr {
    let is_trusted = |address: IpAddr| trusted.iter().any(|range| range.contains(address));
    if !is_trusted(peer) {
        return canonical(peer);
    }
    let chain = forwarded_chain(headers);
    chain
        .iter()
        .rev()
        .copied()
        .find(|address| !is_trusted(*address))
        .or_else(|| chain.first().copied())
        .map_or(canonical(peer), canonical)
}

/// Puts the client's address into the request for the rate limits.
pub async fn client_address(
    State(trusted): State<std::sync::Arc<Vec<AddressRange>>>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip());
    if let Some(peer) = peer {
        let client = client_of(peer, request.headers(), &trusted);
        request.extensions_mut().insert(ClientAddress(client));
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, http::HeaderValue::from_static(value));
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn ranges_parse_and_match() {
        let private = AddressRange::parse("10.0.0.0/8").unwrap();
        assert!(private.contains(ip("10.1.2.3")));
        assert!(!private.contains(ip("11.0.0.1")));
        assert!(private.contains(ip("::ffff:10.0.0.9")), "IPv4-mapped");
        let v6 = AddressRange::parse("2001:db8::/32").unwrap();
        assert!(v6.contains(ip("2001:db8:1::5")));
        assert!(!v6.contains(ip("2001:db9::5")));
        assert!(AddressRange::parse("127.0.0.1")
            .unwrap()
            .contains(ip("127.0.0.1")));
        assert!(AddressRange::parse("0.0.0.0/0")
            .unwrap()
            .contains(ip("8.8.8.8")));
        for bad in ["", "10.0.0.0/33", "::/129", "proxy", "10.0.0.0/x"] {
            assert_eq!(AddressRange::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn forwarded_headers_count_only_from_trusted_proxies() {
        let trusted = [AddressRange::parse("10.0.0.0/8").unwrap()];
        let forwarded = headers(&[("x-forwarded-for", "203.0.113.7, 10.0.0.2")]);
        assert_eq!(
            client_of(ip("10.0.0.1"), &forwarded, &trusted),
            ip("203.0.113.7")
        );
        // From an untrusted peer the header is the client's own say-so: ignored.
        assert_eq!(
            client_of(ip("198.51.100.1"), &forwarded, &trusted),
            ip("198.51.100.1")
        );
        // A client that prepends a made-up address still gets the one the proxy saw.
        let spoofed = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.7")]);
        assert_eq!(
            client_of(ip("10.0.0.1"), &spoofed, &trusted),
            ip("203.0.113.7")
        );
        let standard = headers(&[("forwarded", "for=\"[2001:db8::7]:4711\";proto=https")]);
        assert_eq!(
            client_of(ip("10.0.0.1"), &standard, &trusted),
            ip("2001:db8::7")
        );
        assert_eq!(
            client_of(ip("10.0.0.1"), &headers(&[]), &trusted),
            ip("10.0.0.1")
        );
        assert_eq!(client_of(ip("10.0.0.1"), &forwarded, &[]), ip("10.0.0.1"));
    }
}
