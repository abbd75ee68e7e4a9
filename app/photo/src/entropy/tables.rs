//! The frame header, Huffman tables, quantisation and restart interval in force as the
//! segments of a JPEG go by.

use super::Step;
use super::corrupt;
use super::frame::Frame;
use super::huffman::Huffman;
use crate::PhotoError;

const SOS: u8 = 0xDA;
const DHT: u8 = 0xC4;
const DQT: u8 = 0xDB;
const DRI: u8 = 0xDD;

#[derive(Debug, Default)]
pub(super) struct Tables {
    frame: Option<Frame>,
    dc: [Option<Huffman>; 4],
    ac: [Option<Huffman>; 4],
    /// The DC step of each quantisation table.
    dc_steps: [Option<u16>; 4],
    pub(super) restart_interval: u32,
}

impl Tables {
    /// Takes in one segment; says whether a scan follows or the walk should stop.
    pub(super) fn take(&mut self, marker: u8, payload: &[u8]) -> Result<Step, PhotoError> {
        match marker {
            0xC0 | 0xC1 => self.frame = Some(Frame::parse(payload)?),
            // Progressive, lossless and arithmetic-coded frames are left to the decoder.
            0xC2 | 0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => return Ok(Step::Stop),
            DHT => self.define_huffman(payload)?,
            DQT => self.define_quantisation(payload)?,
            DRI => self.restart_interval = restart_interval(payload)?,
            SOS => return self.plan_scan(payload),
            _ => {}
        }
        Ok(Step::Continue)
    }

    /// The Huffman table in `slot` of `class` (0 for DC, 1 for AC).
    pub(super) fn huffman(&self, class: u8, slot: u8) -> Result<Huffman, PhotoError> {
        let tables = if class == 0 { &self.dc } else { &self.ac };
        tables
            .get(usize::from(slot))
            .cloned()
            .flatten()
            .ok_or_else(|| corrupt("a scan uses an undefined Huffman table"))
    }

    /// The DC quantisation step of table `slot`, if that table was defined.
    pub(super) fn dc_step(&self, slot: u8) -> Option<u16> {
        self.dc_steps.get(usize::from(slot)).copied().flatten()
    }

    fn define_huffman(&mut self, mut payload: &[u8]) -> Result<(), PhotoError> {
        while let Some((&class_and_slot, rest)) = payload.split_first() {
            let (table, used) = Huffman::parse(rest)?;
            let class = if class_and_slot >> 4 == 0 { &mut self.dc } else { &mut self.ac };
            let slot = class
                .get_mut(usize::from(class_and_slot & 0x0F))
                .ok_or_else(|| corrupt("a Huffman table slot is out of range"))?;
            *slot = Some(table);
            payload = &rest[used..];
        }
        Ok(())
    }

    /// Keeps the first (DC) entry of each quantisation table in a DQT segment.
    fn define_quantisation(&mut self, mut payload: &[u8]) -> Result<(), PhotoError> {
        while let Some((&precision_and_slot, rest)) = payload.split_first() {
            let wide = precision_and_slot >> 4 != 0;
            let size = if wide { 128 } else { 64 };
            let entries = rest.get(..size).ok_or_else(|| corrupt("a DQT segment is too short"))?;
            let step =
                if wide { u16::from_be_bytes([entries[0], entries[1]]) } else { entries[0].into() };

            let slot = self
                .dc_steps
                .get_mut(usize::from(precision_and_slot & 0x0F))
                .ok_or_else(|| corrupt("a quantisation table slot is out of range"))?;
            *slot = Some(step);
            payload = &rest[size..];
        }
        Ok(())
    }

    fn plan_scan(&self, payload: &[u8]) -> Result<Step, PhotoError> {
        // No walkable frame, or a height announced only after the scan (DNL): not ours.
        let Some(frame) = self.frame.as_ref().filter(|frame| frame.height > 0) else {
            return Ok(Step::Stop);
        };
        Ok(Step::Scan(frame.plan_scan(payload, self)?))
    }
}

fn restart_interval(payload: &[u8]) -> Result<u32, PhotoError> {
    let interval = payload.get(..2).ok_or_else(|| corrupt("a DRI segment is too short"))?;
    Ok(u32::from(u16::from_be_bytes([interval[0], interval[1]])))
}
