//! How much work a photo may ask of the device before it is refused.

use crate::PhotoError;

/// Bounds checked before and during decoding. `Limits::default()` suits a phone camera.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest file accepted, checked before anything is decoded.
    pub max_input_bytes: usize,
    /// Longest side, in pixels, that a file may declare.
    pub max_side: u32,
    /// Most pixels (width × height) that a file may declare.
    pub max_pixels: u64,
    /// Memory budget for the decoder's buffers, in bytes.
    pub max_alloc: u64,
}

impl Default for Limits {
    /// 30 MiB files, 20,000 px sides, 50 megapixels (the largest "full resolution" mode of
    /// common phones) and 512 MiB of decoder memory.
    fn default() -> Self {
        Self {
            max_input_bytes: 30 * 1024 * 1024,
            max_side: 20_000,
            max_pixels: 50_000_000,
            max_alloc: 512 * 1024 * 1024,
        }
    }
}

impl Limits {
    /// Refuses an empty file, and one too big to be worth reading.
    pub(crate) fn check_input(&self, bytes: &[u8]) -> Result<(), PhotoError> {
        if bytes.is_empty() {
            return Err(PhotoError::Empty);
        }
        if bytes.len() > self.max_input_bytes {
            return Err(PhotoError::TooLarge { bytes: bytes.len(), limit: self.max_input_bytes });
        }
        Ok(())
    }

    /// Refuses declared dimensions that would cost too much to decode. `bytes_per_pixel` is
    /// the size of one decoded pixel, to hold the decoded buffer to the memory budget.
    pub(crate) fn check_dimensions(
        &self,
        width: u32,
        height: u32,
        bytes_per_pixel: u64,
    ) -> Result<(), PhotoError> {
        if width > self.max_side || height > self.max_side {
            return Err(PhotoError::SideTooLong { width, height, limit: self.max_side });
        }

        let pixels = u64::from(width) * u64::from(height);
        if pixels > self.max_pixels {
            return Err(PhotoError::TooManyPixels { width, height, limit: self.max_pixels });
        }

        if pixels * bytes_per_pixel > self.max_alloc {
            return Err(PhotoError::MemoryLimit { limit: self.max_alloc });
        }
        Ok(())
    }

    /// The same bounds in the form the `image` crate's decoders enforce while they run.
    pub(crate) fn for_image_crate(&self) -> image::Limits {
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(self.max_side);
        limits.max_image_height = Some(self.max_side);
        limits.max_alloc = Some(self.max_alloc);
        limits
    }
}
