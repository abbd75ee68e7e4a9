//! `GET /console/photo/{hash}`: a visit photo, work order or signature, for a supervisor whose
//! division holds a document that cites it. Tablets store photos already turned the right way
//! up (the photo crate applies the camera's orientation before upload); the page also asks the
//! browser to honour any orientation tag left in the file.

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use peihu_shared::ids::BlobHash;

use super::session::Session;
use super::{ConsoleError, access, blocking};
use crate::AppState;
use crate::storage::Storage;

/// The content type of an image by its first bytes; anything else is refused rather than sent
/// for a browser to guess at.
/// The console address of a photo or signature, or `None` while its file has not reached the
/// server (pages then say "pending" rather than show a broken image).
pub(crate) fn src_if_arrived(
    blobs: &dyn crate::blobs::BlobStore,
    hash: &BlobHash,
) -> Option<String> {
    let arrived = blobs.state(hash).map(|s| s.complete).unwrap_or(false);
    arrived.then(|| format!("/console/photo/{hash}"))
}

fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// `GET /console/photo/{hash}`.
// TODO(#5): pages show full photos scaled down by the browser; a stored thumbnail would save a
// county desk's bandwidth on a beneficiary with many visits.
pub async fn photo(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(raw): Path<String>,
) -> Result<Response, ConsoleError> {
    blocking(move || {
        let hash: BlobHash = raw.parse().map_err(|_| ConsoleError::NotFound)?;
        let docs = state.storage.blob_docs(&hash)?;
        if docs.is_empty() {
            return Err(ConsoleError::NotFound);
        }
        let mut allowed = false;
        for doc in &docs {
            if let Some(place) = access::doc_place(&state, doc)? {
                allowed |= access::covers(&session.user, &place);
            }
        }
        if !allowed {
            return Err(access::hide(
                &state,
                &session.user,
                "console.refused.out_of_scope.photo",
                docs.first().copied(),
            ));
        }
        let bytes = state
            .blobs
            .read(&hash)
            .map_err(|e| ConsoleError::Render(e.to_string()))?
            .ok_or(ConsoleError::NotFound)?;
        let mime = image_type(&bytes).ok_or(ConsoleError::NotFound)?;
        Ok(([(header::CONTENT_TYPE, mime)], bytes).into_response())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_jpeg_png_and_webp_are_served_as_images() {
        assert_eq!(image_type(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(image_type(b"<svg onload=alert(1)>"), None);
    }
}
