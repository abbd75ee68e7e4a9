//! Why a photo was refused.
//!
//! Every reason has a stable `code()` the UI matches on, an English `Display` and a Chinese
//! `message_zh()` written for a village helper holding a phone, not for an engineer. None of
//! them carries anything from inside the photo, so they are safe to log.

use thiserror::Error;

/// A photo that cannot become evidence, and why.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum PhotoError {
    /// The file has no bytes at all, as when a copy or download never finished.
    #[error(
        "the file is empty (0 bytes); choose the photo again from the gallery or take a new one"
    )]
    Empty,

    /// The bytes are not a picture in any format we recognise (a document, a video).
    #[error("this file is not a photo")]
    NotAnImage,

    /// The file is bigger than we accept, so it was refused before any decoding.
    #[error(
        "the file is {} MB, more than the {} MB a photo may have; take the picture with the phone's own camera and send that",
        mebibytes(*.bytes as u64),
        mebibytes(*.limit as u64)
    )]
    TooLarge {
        /// Size of the file offered.
        bytes: usize,
        /// Largest size accepted.
        limit: usize,
    },

    /// The file stops part-way through, as after an interrupted copy or download.
    #[error("the photo is incomplete: the file ends before the picture does")]
    Truncated,

    /// The picture data is damaged; decoding it would show grey or smeared blocks.
    #[error("the photo is damaged: {reason}")]
    Corrupt {
        /// What the decoder found wrong, in its own words (no personal data).
        reason: String,
    },

    /// A HEIF/HEIC photo, the "high efficiency" format of iPhones and some Android phones. We
    /// have no decoder for it on the device.
    #[error(
        "this photo is in HEIF/HEIC format, which cannot be opened here; set the camera to \
         \"Most Compatible\" (JPEG) and take it again, or take a screenshot of the photo and \
         send the screenshot"
    )]
    Heif,

    /// A picture format we recognise but do not accept.
    #[error("photos in {format} format are not accepted; please send a JPEG or PNG")]
    Unsupported {
        /// Name of the format, for people (for example "GIF" or "WebP").
        format: &'static str,
    },

    /// The picture has more pixels than we are willing to decode; this is how a
    /// decompression bomb (a tiny file that expands to gigabytes) is stopped.
    #[error("the picture is {width}×{height} pixels, more than the {limit} pixels we accept")]
    TooManyPixels {
        /// Width the file declares.
        width: u32,
        /// Height the file declares.
        height: u32,
        /// Largest pixel count accepted.
        limit: u64,
    },

    /// One side of the picture is longer than we accept.
    #[error("the picture is {width}×{height} pixels; no side may exceed {limit} pixels")]
    SideTooLong {
        /// Width the file declares.
        width: u32,
        /// Height the file declares.
        height: u32,
        /// Longest side accepted.
        limit: u32,
    },

    /// Decoding would need more memory than the budget allows.
    #[error("decoding this photo would need more than {limit} bytes of memory")]
    MemoryLimit {
        /// The memory budget for decoding, in bytes.
        limit: u64,
    },

    /// Shrinking the decoded picture failed. This is a fault in this crate, not in the photo.
    #[error("the photo could not be resized: {reason}")]
    Resize {
        /// What the resizer reported.
        reason: String,
    },

    /// Writing the normalised JPEG failed. This is a fault in this crate, not in the photo.
    #[error("the photo could not be saved as JPEG: {reason}")]
    Encode {
        /// What the encoder reported.
        reason: String,
    },
}

impl PhotoError {
    /// A stable snake_case code for the UI to match on; it never changes with the wording.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty_file",
            Self::NotAnImage => "not_an_image",
            Self::TooLarge { .. } => "too_large",
            Self::Truncated => "truncated",
            Self::Corrupt { .. } => "corrupt",
            Self::Heif => "heif_unsupported",
            Self::Unsupported { .. } => "unsupported_format",
            Self::TooManyPixels { .. } => "too_many_pixels",
            Self::SideTooLong { .. } => "side_too_long",
            Self::MemoryLimit { .. } => "memory_limit",
            Self::Resize { .. } => "resize_failed",
            Self::Encode { .. } => "encode_failed",
        }
    }

    /// The reason in plain Chinese, with what to do next where there is something to do.
    pub fn message_zh(&self) -> String {
        match self {
            Self::Empty => {
                "文件是空的（0 字节），可能没有复制完。请从相册重新选择照片，或重新拍一张。"
                    .to_owned()
            }
            Self::NotAnImage => "这个文件不是照片，请重新选择照片。".to_owned(),
            Self::TooLarge { bytes, limit } => format!(
                "文件太大（{} MB），超过 {} MB 的上限。请直接用手机相机拍照后上传。",
                mebibytes(*bytes as u64),
                mebibytes(*limit as u64)
            ),
            Self::Truncated => {
                "照片不完整（文件只传了一部分）。请从相册重新选择原照片，或重新拍一张。".to_owned()
            }
            Self::Corrupt { .. } => "照片已损坏，打开会有花屏或灰块。请重新拍一张。".to_owned(),
            Self::Heif => HEIF_ZH.to_owned(),
            Self::Unsupported { format } => {
                format!("不支持 {format} 格式的照片。请用手机相机拍照（JPG 格式）或截图后上传。")
            }
            Self::TooManyPixels { .. } | Self::SideTooLong { .. } | Self::MemoryLimit { .. } => {
                "照片尺寸过大，手机无法处理。请用手机相机正常拍照后上传。".to_owned()
            }
            Self::Resize { .. } | Self::Encode { .. } => {
                "照片处理出错，这不是您的问题。请再试一次；如果还不行，请联系管理员。".to_owned()
            }
        }
    }
}

/// The HEIF answer in Chinese: what happened, and two ways out that work on any phone.
const HEIF_ZH: &str = "这张照片是 HEIF/HEIC（“高效”）格式，本系统打不开。\
请把相机设置改为“兼容性最佳”（苹果手机：设置 → 相机 → 格式 → 兼容性最佳；\
安卓手机：在相机设置里关闭“高效格式/HEIF”）后重新拍摄；\
或者把这张照片截屏，上传截图。";

/// Whole mebibytes, rounded up so a file just over the limit never reads as equal to it.
fn mebibytes(bytes: u64) -> u64 {
    bytes.div_ceil(1024 * 1024)
}
