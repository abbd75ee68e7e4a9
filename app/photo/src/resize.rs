//! Making the picture smaller and the right way up.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::metadata::Orientation;
use image::{DynamicImage, RgbImage};

use crate::PhotoError;

/// The size that fits `width`×`height` within `long_edge` on its longer side, keeping the
/// aspect ratio; never larger than the original, never zero.
pub(crate) fn fit_within(width: u32, height: u32, long_edge: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= long_edge {
        return (width, height);
    }

    let scale = f64::from(long_edge) / f64::from(longest);
    let side = |length: u32| ((f64::from(length) * scale).round() as u32).clamp(1, long_edge);
    (side(width), side(height))
}

/// A copy of `picture` shrunk to fit within `long_edge`, or `None` when it already fits.
pub(crate) fn shrink(picture: &RgbImage, long_edge: u32) -> Result<Option<RgbImage>, PhotoError> {
    let (width, height) = fit_within(picture.width(), picture.height(), long_edge);
    if (width, height) == picture.dimensions() {
        return Ok(None);
    }

    let source =
        ImageRef::new(picture.width(), picture.height(), picture.as_raw(), PixelType::U8x3)
            .map_err(|error| resize_error(&error))?;
    let mut target = Image::new(width, height, PixelType::U8x3);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::CatmullRom));
    Resizer::new().resize(&source, &mut target, &options).map_err(|error| resize_error(&error))?;

    let shrunk = RgbImage::from_raw(width, height, target.into_vec())
        .ok_or_else(|| resize_error(&"the resizer returned a buffer of the wrong size"))?;
    Ok(Some(shrunk))
}

/// Turns and flips `picture` so that it shows as the camera intended.
pub(crate) fn upright(picture: RgbImage, orientation: Option<Orientation>) -> RgbImage {
    match orientation {
        None | Some(Orientation::NoTransforms) => picture,
        Some(orientation) => {
            let mut picture = DynamicImage::ImageRgb8(picture);
            picture.apply_orientation(orientation);
            picture.into_rgb8()
        }
    }
}

fn resize_error(error: &dyn std::fmt::Display) -> PhotoError {
    PhotoError::Resize { reason: error.to_string() }
}
