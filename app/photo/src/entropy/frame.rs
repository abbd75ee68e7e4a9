//! The frame header, and how many blocks each scan of it holds.

use super::corrupt;
use super::huffman::Huffman;
use super::tables::Tables;
use crate::PhotoError;

/// One image component as the frame header declares it.
#[derive(Debug, Clone, Copy)]
struct Component {
    id: u8,
    h: u32,
    v: u32,
    quantisation: u8,
}

/// The frame header's facts that decide how many blocks a scan holds.
#[derive(Debug)]
pub(super) struct Frame {
    pub(super) height: u32,
    width: u32,
    precision: u8,
    components: Vec<Component>,
}

/// The blocks of one MCU belonging to one component, and the tables that decode them.
#[derive(Debug)]
pub(super) struct BlockRun {
    pub(super) dc: Huffman,
    pub(super) ac: Huffman,
    pub(super) blocks: u32,
    /// Largest running DC value (in quantisation steps) that pixels can produce.
    pub(super) dc_limit: i32,
}

/// One scan, planned: how many MCUs, restart spacing, and what each MCU contains.
#[derive(Debug)]
pub(super) struct ScanPlan {
    pub(super) mcus: u32,
    pub(super) restart_interval: u32,
    pub(super) runs: Vec<BlockRun>,
}

impl Frame {
    /// Reads an SOF0/SOF1 payload.
    pub(super) fn parse(payload: &[u8]) -> Result<Frame, PhotoError> {
        let header = payload.get(..6).ok_or_else(|| corrupt("the frame header is too short"))?;
        let precision = header[0];
        let height = u32::from(u16::from_be_bytes([header[1], header[2]]));
        let width = u32::from(u16::from_be_bytes([header[3], header[4]]));
        let count = usize::from(header[5]);

        let specs = payload
            .get(6..6 + 3 * count)
            .ok_or_else(|| corrupt("the frame header is too short"))?;
        let components: Vec<Component> = specs
            .chunks_exact(3)
            .map(|spec| Component {
                id: spec[0],
                h: u32::from(spec[1] >> 4),
                v: u32::from(spec[1] & 0x0F),
                quantisation: spec[2],
            })
            .collect();

        let sane = |factor: u32| (1..=4).contains(&factor);
        if components.is_empty() || !components.iter().all(|c| sane(c.h) && sane(c.v)) {
            return Err(corrupt("the frame header has impossible sampling factors"));
        }
        if !(8..=12).contains(&precision) {
            return Err(corrupt("the frame header has an impossible sample precision"));
        }
        Ok(Frame { height, width, precision, components })
    }

    /// Plans the scan whose SOS payload is `payload`, with the tables now in force.
    pub(super) fn plan_scan(
        &self,
        payload: &[u8],
        tables: &Tables,
    ) -> Result<ScanPlan, PhotoError> {
        let count = usize::from(*payload.first().ok_or_else(|| corrupt("empty SOS segment"))?);
        let selectors =
            payload.get(1..1 + 2 * count).ok_or_else(|| corrupt("the scan header is too short"))?;

        let mut runs = Vec::with_capacity(count);
        for selector in selectors.chunks_exact(2) {
            let component = self.component(selector[0])?;
            runs.push(BlockRun {
                dc: tables.huffman(0, selector[1] >> 4)?,
                ac: tables.huffman(1, selector[1] & 0x0F)?,
                blocks: if count == 1 { 1 } else { component.h * component.v },
                dc_limit: self.dc_limit(tables.dc_step(component.quantisation)),
            });
        }

        let mcus = match selectors {
            [id, _] => self.blocks_of(self.component(*id)?),
            _ => self.interleaved_mcus(),
        };
        Ok(ScanPlan { mcus, restart_interval: tables.restart_interval, runs })
    }

    /// The DC coefficient is eight times the block's mean level-shifted sample, so its size
    /// is bounded by the precision; in quantisation steps that is the bound over `step`. One
    /// step of slack allows for rounding. Without a known step there is no bound.
    fn dc_limit(&self, step: Option<u16>) -> i32 {
        let full_scale = 1024i32 << (self.precision - 8);
        match step {
            Some(step) if step > 0 => full_scale / i32::from(step) + 1,
            _ => i32::MAX,
        }
    }

    fn component(&self, id: u8) -> Result<Component, PhotoError> {
        self.components
            .iter()
            .find(|component| component.id == id)
            .copied()
            .ok_or_else(|| corrupt("a scan names a component the frame does not have"))
    }

    fn max_sampling(&self) -> (u32, u32) {
        let h = self.components.iter().map(|c| c.h).max().unwrap_or(1);
        let v = self.components.iter().map(|c| c.v).max().unwrap_or(1);
        (h, v)
    }

    /// Blocks in a scan of `component` alone: its own size in 8×8 blocks.
    fn blocks_of(&self, component: Component) -> u32 {
        let (h_max, v_max) = self.max_sampling();
        let width = (self.width * component.h).div_ceil(h_max);
        let height = (self.height * component.v).div_ceil(v_max);
        width.div_ceil(8) * height.div_ceil(8)
    }

    /// MCUs in an interleaved scan: the frame in units of the largest sampling block.
    fn interleaved_mcus(&self) -> u32 {
        let (h_max, v_max) = self.max_sampling();
        self.width.div_ceil(8 * h_max) * self.height.div_ceil(8 * v_max)
    }
}
