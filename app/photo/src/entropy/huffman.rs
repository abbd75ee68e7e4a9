//! Canonical Huffman tables as a JPEG DHT segment defines them, for decoding symbols only.

use super::bits::BitReader;
use super::corrupt;
use crate::PhotoError;

/// Codes this long or shorter are found with one table look-up.
const LOOKUP_BITS: u32 = 10;

/// One DC or AC table.
#[derive(Debug, Clone)]
pub(super) struct Huffman {
    /// (code length, symbol) indexed by the next `LOOKUP_BITS` bits; length 0 means the code
    /// is longer, or does not exist.
    fast: Vec<(u8, u8)>,
    /// Largest code of each length (index 1..=16), or -1 when there is none.
    max_code: [i32; 17],
    /// Index into `symbols` minus the first code, per length.
    offset: [i32; 17],
    symbols: Vec<u8>,
}

impl Huffman {
    /// Reads one table from `data` (its 16 counts, then its symbols) and returns it with the
    /// number of bytes used.
    pub(super) fn parse(data: &[u8]) -> Result<(Huffman, usize), PhotoError> {
        let short = || corrupt("a Huffman table is cut short");
        let counts = data.get(..16).ok_or_else(short)?;
        let total: usize = counts.iter().map(|&count| usize::from(count)).sum();
        let symbols = data.get(16..16 + total).ok_or_else(short)?.to_vec();

        let mut table = Huffman {
            fast: vec![(0, 0); 1 << LOOKUP_BITS],
            max_code: [-1; 17],
            offset: [0; 17],
            symbols,
        };
        table.assign_codes(counts)?;
        Ok((table, 16 + total))
    }

    /// Gives codes to symbols in canonical order, length by length.
    fn assign_codes(&mut self, counts: &[u8]) -> Result<(), PhotoError> {
        let mut code: u32 = 0;
        let mut index: usize = 0;
        for (length, &count) in (1..=16u32).zip(counts) {
            let count = u32::from(count);
            if count > 0 {
                self.offset[length as usize] = index as i32 - code as i32;
                for _ in 0..count {
                    self.remember_short(code, length, index);
                    code += 1;
                    index += 1;
                }
                self.max_code[length as usize] = code as i32 - 1;
            }
            if code > 1 << length {
                return Err(corrupt("a Huffman table has more codes than bits allow"));
            }
            code <<= 1;
        }
        Ok(())
    }

    /// Fills the look-up entries for a code of at most `LOOKUP_BITS` bits.
    fn remember_short(&mut self, code: u32, length: u32, index: usize) {
        if length > LOOKUP_BITS {
            return;
        }
        let spread = LOOKUP_BITS - length;
        let first = (code << spread) as usize;
        let entry = (length as u8, self.symbols[index]);
        self.fast[first..first + (1 << spread)].fill(entry);
    }

    /// Decodes the next symbol, refusing bit patterns that are not codes of this table.
    #[inline]
    pub(super) fn decode(&self, bits: &mut BitReader<'_>) -> Result<u8, PhotoError> {
        let peek = bits.peek16();
        let (length, symbol) = self.fast[usize::from(peek >> (16 - LOOKUP_BITS))];
        if length > 0 {
            bits.consume(u32::from(length))?;
            return Ok(symbol);
        }

        for length in LOOKUP_BITS + 1..=16 {
            let code = i32::from(peek >> (16 - length));
            if code <= self.max_code[length as usize] {
                bits.consume(length)?;
                let index = usize::try_from(code + self.offset[length as usize]).ok();
                return index
                    .and_then(|index| self.symbols.get(index).copied())
                    .ok_or_else(|| corrupt("a Huffman code points outside its table"));
            }
        }
        Err(corrupt("the picture data holds a code that is not in its Huffman table"))
    }
}
