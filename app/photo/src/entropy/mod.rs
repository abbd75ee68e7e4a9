//! An independent walk through a sequential JPEG's entropy-coded data, to catch damage that
//! decoders paper over.
//!
//! `zune-jpeg` in strict mode refuses misplaced markers and data that runs out, but a few
//! flipped bits inside the Huffman-coded data decode "successfully" into garbled blocks: the
//! decoder loses step, keeps going, and stops when it has produced enough blocks. This walk
//! decodes every Huffman symbol (without computing any pixels) and checks the bookkeeping that
//! a damaged stream almost always breaks: every code exists in its table, no block has more
//! than 64 coefficients, each restart interval and each scan uses up exactly its own bytes
//! (apart from padding bits), restart markers come in order, and the running DC value of every
//! block stays within what 8×8 pixels can average to.
//!
//! A flipped bit that changes one coefficient's value without breaking the code stream is a
//! valid stream and cannot be caught this way; the damage it does is one slightly wrong block.
//!
//! Only baseline and extended sequential Huffman frames (SOF0, SOF1) are walked; phone cameras
//! write those. Progressive files rely on the decoder's strict mode alone.

mod bits;
mod frame;
mod huffman;
mod scan;
mod tables;

use frame::ScanPlan;
use tables::Tables;

use crate::PhotoError;

const EOI: u8 = 0xD9;

/// Walks `jpeg`; `Ok` when its entropy-coded data is consistent or is not ours to walk.
pub(crate) fn check(jpeg: &[u8]) -> Result<(), PhotoError> {
    let mut tables = Tables::default();
    let mut at = 2;

    while let Some((marker, after)) = next_marker(jpeg, at)? {
        if marker == EOI {
            break;
        }
        if is_standalone(marker) {
            at = after;
            continue;
        }

        let payload = segment(jpeg, after)?;
        let next = after + 2 + payload.len();
        match tables.take(marker, payload)? {
            Step::Continue => at = next,
            Step::Scan(plan) => at = scan::walk(jpeg, next, &plan)?,
            Step::Stop => break,
        }
    }
    Ok(())
}

/// Markers that stand alone, without a length field.
fn is_standalone(marker: u8) -> bool {
    matches!(marker, 0x01 | 0xD0..=0xD7)
}

/// The marker at `at` (after any fill bytes) and the offset just past it; `None` at the end.
fn next_marker(jpeg: &[u8], at: usize) -> Result<Option<(u8, usize)>, PhotoError> {
    match jpeg.get(at) {
        None => return Ok(None),
        Some(0xFF) => {}
        Some(_) => return Err(corrupt("stray bytes between JPEG segments")),
    }

    let fill = jpeg[at..].iter().take_while(|&&byte| byte == 0xFF).count();
    Ok(jpeg.get(at + fill).map(|&marker| (marker, at + fill + 1)))
}

/// The payload of the segment whose length field starts at `at`.
fn segment(jpeg: &[u8], at: usize) -> Result<&[u8], PhotoError> {
    let length = jpeg.get(at..at + 2).ok_or(PhotoError::Truncated)?;
    let length = usize::from(u16::from_be_bytes([length[0], length[1]]));
    if length < 2 {
        return Err(corrupt("a JPEG segment has an impossible length"));
    }
    jpeg.get(at + 2..at + length).ok_or(PhotoError::Truncated)
}

pub(super) fn corrupt(reason: &str) -> PhotoError {
    PhotoError::Corrupt { reason: reason.to_owned() }
}

/// What the segment loop does next.
enum Step {
    Continue,
    Scan(ScanPlan),
    Stop,
}
