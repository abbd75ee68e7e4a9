//! Reading entropy-coded bits: stuffed zero bytes removed, markers noticed.

use super::corrupt;
use crate::PhotoError;

/// Bits of one scan, most significant first.
#[derive(Debug)]
pub(super) struct BitReader<'a> {
    jpeg: &'a [u8],
    /// The next byte to load.
    at: usize,
    /// Loaded bits; the low `count` of them are not yet consumed.
    acc: u64,
    count: u32,
    /// Where the marker that ends this stretch of data starts, once reached.
    marker: Option<usize>,
}

impl<'a> BitReader<'a> {
    /// A reader for the entropy-coded data starting at offset `at` of `jpeg`.
    pub(super) fn new(jpeg: &'a [u8], at: usize) -> Self {
        BitReader { jpeg, at, acc: 0, count: 0, marker: None }
    }

    /// Loads bytes until 57 or more bits are waiting, a marker is reached, or the file ends.
    fn fill(&mut self) {
        if self.marker.is_none() && !self.fill_word() {
            self.fill_bytewise();
        }
    }

    /// The common case, eight bytes at once: taken only when none of them is 0xFF (a stuffed
    /// byte or a marker), which the byte-wise path handles.
    fn fill_word(&mut self) -> bool {
        let Some(chunk) = self.jpeg.get(self.at..self.at + 8) else {
            return false;
        };
        let word = u64::from_be_bytes(chunk.try_into().unwrap_or_default());
        let room = (64 - self.count) / 8;
        if has_ff_byte(word) || room == 0 {
            return false;
        }

        let shift = room * 8;
        self.acc = if shift == 64 { word } else { (self.acc << shift) | (word >> (64 - shift)) };
        self.count += shift;
        self.at += room as usize;
        true
    }

    fn fill_bytewise(&mut self) {
        while self.count <= 56 && self.marker.is_none() {
            let Some(&byte) = self.jpeg.get(self.at) else {
                return;
            };
            if byte == 0xFF {
                match self.jpeg.get(self.at + 1) {
                    Some(0x00) => self.at += 2,
                    Some(_) => {
                        self.marker = Some(self.at);
                        return;
                    }
                    None => return,
                }
            } else {
                self.at += 1;
            }
            self.acc = (self.acc << 8) | u64::from(byte);
            self.count += 8;
        }
    }

    /// The next 16 bits without consuming them, padded with zeros past the end of the data.
    #[inline]
    pub(super) fn peek16(&mut self) -> u16 {
        if self.count < 16 {
            self.fill();
        }
        if self.count == 0 {
            return 0;
        }
        ((self.acc << (64 - self.count)) >> 48) as u16
    }

    /// Consumes `n` bits, which must exist in the data.
    #[inline]
    pub(super) fn consume(&mut self, n: u32) -> Result<(), PhotoError> {
        if n > self.count {
            self.fill();
            if n > self.count {
                return Err(self.ran_out());
            }
        }
        self.count -= n;
        Ok(())
    }

    /// Reads `n` (at most 16) bits as an unsigned number.
    #[inline]
    pub(super) fn read(&mut self, n: u32) -> Result<u32, PhotoError> {
        if n == 0 {
            return Ok(0);
        }
        let value = u32::from(self.peek16() >> (16 - n));
        self.consume(n)?;
        Ok(value)
    }

    /// Data that stops at a marker before the blocks are done is damaged; data that stops at
    /// the end of the file is cut off.
    fn ran_out(&self) -> PhotoError {
        match self.marker {
            Some(_) => corrupt("the picture data stops before its last block"),
            None => PhotoError::Truncated,
        }
    }

    /// At the end of a restart interval or scan only padding bits, and at most `spare` whole
    /// bytes, may remain. Returns where the following marker starts, or `None` when the file
    /// simply ends there.
    pub(super) fn finish(&mut self, spare: u32) -> Result<Option<usize>, PhotoError> {
        self.fill();
        let reached_end = self.marker.is_some() || self.at >= self.jpeg.len();
        if !reached_end || self.count >= 8 * (spare + 1) {
            return Err(corrupt("the picture data goes on after its last block"));
        }
        Ok(self.marker)
    }

    /// Ends a restart interval: checks it was used up exactly and that restart marker number
    /// `expected` (0–7) follows, then continues after it.
    pub(super) fn restart(&mut self, expected: u8) -> Result<(), PhotoError> {
        let at = self.finish(0)?.ok_or(PhotoError::Truncated)?;
        let fill = self.jpeg[at..].iter().take_while(|&&byte| byte == 0xFF).count();
        if self.jpeg.get(at + fill) != Some(&(0xD0 + expected)) {
            return Err(corrupt("restart markers are missing or out of order"));
        }

        *self = BitReader::new(self.jpeg, at + fill + 1);
        Ok(())
    }
}

/// Whether any of the eight bytes of `word` is 0xFF (a zero byte in its complement).
fn has_ff_byte(word: u64) -> bool {
    let inverted = !word;
    inverted.wrapping_sub(0x0101_0101_0101_0101) & !inverted & 0x8080_8080_8080_8080 != 0
}
