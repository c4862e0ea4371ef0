//! Podman's own API (`/libpod/...`), for what its Docker-compatible answers leave out: the
//! capability set a container really gets. The compatible inspect reports `CapAdd`/`CapDrop`
//! against Docker's defaults, while Podman starts from its containers.conf and the image's
//! `io.containers.capabilities` label; its own inspect says `BoundingCaps`.
//!
//! bollard speaks only Docker's API and sends no raw request, so the one GET goes through
//! hyper, the HTTP client bollard runs on (with hyperlocal for unix sockets), already built.

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use minpriv_model::{CapSet, Capability};
use std::time::Duration;

/// The prefix of Podman's own API. Podman 4.3 routes only versioned paths; a version at or
/// below the server's is accepted by Podman 4 and 5 alike.
const API: &str = "/v4.0.0/libpod";

/// How long one request to Podman's own API may take.
const TIMEOUT: Duration = Duration::from_secs(60);

/// The capability bounding set Podman reports for container `id` (`BoundingCaps` of
/// `/libpod/containers/{id}/json`); `None` when the answer has no such list.
pub(crate) async fn bounding_capabilities(
    endpoint: &str,
    id: &str,
) -> Result<Option<CapSet>, String> {
    let inspect = get_json(endpoint, &format!("{API}/containers/{id}/json")).await?;
    Ok(inspect
        .get("BoundingCaps")
        .and_then(|v| v.as_array())
        .map(|names| {
            names
                .iter()
                .filter_map(|n| Capability::parse(n.as_str()?))
                .collect()
        }))
}

async fn get_json(endpoint: &str, path: &str) -> Result<serde_json::Value, String> {
    let request = async {
        let response = if let Some(socket) = endpoint.strip_prefix("unix://") {
            let client: Client<_, Empty<Bytes>> =
                Client::builder(TokioExecutor::new()).build(hyperlocal::UnixConnector);
            client.get(hyperlocal::Uri::new(socket, path).into()).await
        } else {
            let base = endpoint
                .replacen("tcp://", "http://", 1)
                .trim_end_matches('/')
                .to_string();
            let uri: hyper::Uri = format!("{base}{path}")
                .parse()
                .map_err(|e| format!("{base}{path}: {e}"))?;
            let client: Client<_, Empty<Bytes>> =
                Client::builder(TokioExecutor::new()).build_http();
            client.get(uri).await
        }
        .map_err(|e| format!("GET {path}: {e}"))?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("GET {path}: {e}"))?
            .to_bytes();
        if !status.is_success() {
            let message = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("message")?.as_str().map(str::to_string))
                .unwrap_or_else(|| String::from_utf8_lossy(&body).trim().to_string());
            return Err(format!("GET {path}: {status}: {message}"));
        }
        serde_json::from_slice(&body).map_err(|e| format!("GET {path}: {e}"))
    };
    tokio::time::timeout(TIMEOUT, request)
        .await
        .map_err(|_| format!("GET {path}: no answer in {} s", TIMEOUT.as_secs()))?
}
