//! Walking one scan block by block, decoding symbols but computing no pixels.

use super::bits::BitReader;
use super::corrupt;
use super::frame::{BlockRun, ScanPlan};
use crate::PhotoError;

/// Whole bytes tolerated between the last block of a scan and the next marker. Some encoders
/// leave a few (libjpeg only warns about them); they change no pixel, and refusing every photo
/// from such a camera would help nobody.
const SPARE_BYTES_AT_SCAN_END: u32 = 4;

/// Walks the scan whose data starts at `start`; returns the offset where its data ends.
pub(super) fn walk(jpeg: &[u8], start: usize, plan: &ScanPlan) -> Result<usize, PhotoError> {
    let mut bits = BitReader::new(jpeg, start);
    let mut next_restart = 0u8;
    let mut dc = vec![0i32; plan.runs.len()];

    for mcu in 0..plan.mcus {
        if plan.restart_interval > 0 && mcu > 0 && mcu % plan.restart_interval == 0 {
            bits.restart(next_restart)?;
            next_restart = (next_restart + 1) % 8;
            dc.fill(0);
        }
        for (run, dc) in plan.runs.iter().zip(&mut dc) {
            for _ in 0..run.blocks {
                *dc = block(&mut bits, run, *dc)?;
            }
        }
    }
    Ok(bits.finish(SPARE_BYTES_AT_SCAN_END)?.unwrap_or(jpeg.len()))
}

/// One 8×8 block: a DC difference, then AC run/size symbols up to end-of-block or 63.
/// Takes the component's running DC value and returns it updated.
fn block(bits: &mut BitReader<'_>, run: &BlockRun, dc: i32) -> Result<i32, PhotoError> {
    let dc = dc + dc_difference(bits, run)?;
    if dc.abs() > run.dc_limit {
        return Err(corrupt("a block is brighter or darker than pixels can be"));
    }

    let mut k = 1u32;
    while k < 64 {
        let symbol = run.ac.decode(bits)?;
        let (zeros, size) = (u32::from(symbol >> 4), u32::from(symbol & 0x0F));
        match (zeros, size) {
            (0, 0) => return Ok(dc),
            (15, 0) => k += 16,
            (_, 0) => return Err(corrupt("a sequential JPEG holds a progressive end-of-band")),
            _ => {
                k += zeros;
                if k > 63 {
                    return Err(corrupt("a block has more than 64 coefficients"));
                }
                bits.consume(size)?;
                k += 1;
            }
        }
    }
    if k > 64 {
        return Err(corrupt("a run of zeros goes past the end of a block"));
    }
    Ok(dc)
}

/// The DC difference: a size category, then that many bits of value.
fn dc_difference(bits: &mut BitReader<'_>, run: &BlockRun) -> Result<i32, PhotoError> {
    let size = u32::from(run.dc.decode(bits)?);
    if size > 15 {
        return Err(corrupt("a DC difference has an impossible size"));
    }
    let raw = bits.read(size)?;

    // JPEG's sign convention: values below half the range are negative.
    let value = raw as i32;
    if size > 0 && value < 1 << (size - 1) { Ok(value - (1 << size) + 1) } else { Ok(value) }
}
