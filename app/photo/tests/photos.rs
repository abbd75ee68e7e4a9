//! Normalisation of real photos from `shared/data/photos`, and of photos damaged or forged on
//! purpose. The expected facts come from that folder's `expected.json`, written independently
//! of this crate.

mod support;

use exif::{Field, In, Tag, Value};
use peihu_photo::{GpsProblem, Limits, Note, PhotoError, SourceFormat, normalise};
use sha2::{Digest, Sha256};
use support::*;
use zune_core::bytestream::ZCursor;
use zune_core::options::DecoderOptions;
use zune_jpeg::JpegDecoder;

// ---------------------------------------------------------------------------------------------
// Orientation
// ---------------------------------------------------------------------------------------------

/// Below this mean grey-level difference two pictures show the same scene the same way up;
/// the differently labelled orientation fixtures differ from each other by about 15.
const SAME_PICTURE: f64 = 25.0;

/// At or above this, the picture is mirrored or turned relative to the other.
const WRONG_WAY_ROUND: f64 = 50.0;

#[test]
fn all_eight_exif_orientations_come_out_upright_like_landscape_1() {
    let reference = Grey::from_jpeg(&normalised("landscape_1.jpg").jpeg);

    for n in 1..=8 {
        let name = format!("landscape_{n}.jpg");
        let photo = normalised(&name);
        assert_eq!((photo.width, photo.height), (600, 450), "{name} size");

        let upright = Grey::from_jpeg(&photo.jpeg);
        let difference = reference.mean_difference(&upright);
        assert!(difference < SAME_PICTURE, "{name} differs from landscape_1 by {difference:.1}");
    }
}

#[test]
fn the_orientation_comparison_would_catch_a_photo_left_as_stored_or_turned_wrongly() {
    let reference = Grey::from_jpeg(&normalised("landscape_1.jpg").jpeg);

    for n in 2..=8 {
        let name = format!("landscape_{n}.jpg");
        let stored = Grey::from_jpeg(&fixture(&name));
        if n <= 4 {
            let difference = reference.mean_difference(&stored);
            assert!(difference >= WRONG_WAY_ROUND, "{name} as stored differs by {difference:.1}");
        } else {
            assert_eq!((stored.width, stored.height), (450, 600), "{name} is stored on its side");
        }

        let upright = Grey::from_jpeg(&normalised(&name).jpeg);
        for (how, wrong) in [
            ("mirrored", upright.mirrored()),
            ("flipped", upright.flipped()),
            ("turned", upright.half_turned()),
        ] {
            let difference = reference.mean_difference(&wrong);
            assert!(difference >= WRONG_WAY_ROUND, "{name} {how} differs by only {difference:.1}");
        }
    }
}

#[test]
fn an_orientation_tag_outside_one_to_eight_leaves_the_photo_as_stored_with_a_note() {
    let field = Field { tag: Tag::Orientation, ifd_num: In::PRIMARY, value: Value::Short(vec![9]) };
    let photo = forged(&[field]);

    assert_eq!((photo.width, photo.height), (600, 450));
    assert_eq!(photo.notes, vec![Note::OrientationInvalid]);
}

// ---------------------------------------------------------------------------------------------
// GPS and capture time from real cameras
// ---------------------------------------------------------------------------------------------

#[test]
fn every_position_listed_in_expected_json_is_read_to_within_a_metre() {
    let expected = expected();
    let mut checked = 0;

    for (name, facts) in expected.as_object().expect("expected.json is an object") {
        let Some(lat) = facts["gps_lat"].as_f64() else {
            continue;
        };
        let lon = facts["gps_lon"].as_f64().expect("gps_lon beside gps_lat");
        let gps = normalised(name).gps.unwrap_or_else(|| panic!("{name} lost its position"));

        assert_near(gps.lat, lat, 1e-5, &format!("{name} latitude"));
        assert_near(gps.lon, lon, 1e-5, &format!("{name} longitude"));
        if let Some(alt) = facts["gps_alt_m"].as_f64() {
            assert_near(gps.alt_m.expect("altitude kept"), alt, 0.1, &format!("{name} altitude"));
        }
        checked += 1;
    }
    assert!(checked >= 4, "expected.json lists only {checked} positions");
}

#[test]
fn a_southern_latitude_is_negative_for_the_kodak_cx7530() {
    let gps = normalised("Kodak_CX7530.jpg").gps.expect("Kodak photo has a position");

    assert_near(gps.lat, -0.3713, 1e-5, "latitude");
    assert_near(gps.lon, 36.056417, 1e-5, "longitude");
}

#[test]
fn a_western_longitude_is_negative_for_the_iphone_photo() {
    let gps = normalised("iphone_hdr_NO.jpg").gps.expect("iPhone photo has a position");

    assert_near(gps.lat, 40.446972, 1e-5, "latitude");
    assert_near(gps.lon, -3.724753, 1e-5, "longitude");
    assert_near(gps.alt_m.expect("altitude"), 639.6, 0.1, "altitude");
}

#[test]
fn a_gps_block_holding_only_its_version_gives_no_position_and_no_note() {
    let photo = normalised("32-lens_data.jpeg");

    assert!(photo.gps.is_none());
    assert!(photo.notes.is_empty(), "notes: {:?}", photo.notes);
}

#[test]
fn capture_time_is_date_time_original_not_the_later_edit_time() {
    // The Kodak file was edited in 2008; DateTime says so, DateTimeOriginal says 2005.
    let taken = normalised("Kodak_CX7530.jpg").captured_at.expect("capture time");

    assert_eq!(taken.text, "2005:08:13 09:47:23");
    let local = taken.local.expect("parsed");
    assert_eq!(local.to_string(), "2005-08-13 09:47:23");
}

#[test]
fn a_photo_without_exif_has_no_capture_time_no_position_and_no_notes() {
    let photo = normalised("PaintTool_sample.jpg");

    assert!(photo.captured_at.is_none());
    assert!(photo.gps.is_none());
    assert!(photo.notes.is_empty());
}

// ---------------------------------------------------------------------------------------------
// GPS garbage, forged onto a clean photo
// ---------------------------------------------------------------------------------------------

fn gps_outcome(fields: &[Field]) -> (Option<(f64, f64)>, Vec<Note>) {
    let photo = forged(fields);
    (photo.gps.map(|gps| (gps.lat, gps.lon)), photo.notes)
}

#[test]
fn fractional_minutes_and_western_longitude_are_read() {
    let (position, notes) = gps_outcome(&position_fields(&GOOD_LAT, "N", &GOOD_LON, "W"));

    let (lat, lon) = position.expect("position kept");
    assert_near(lat, 39.0 + 54.5 / 60.0, 1e-9, "latitude");
    assert_near(lon, -(116.0 + 23.0 / 60.0 + 30.0 / 3600.0), 1e-9, "longitude");
    assert!(notes.is_empty());
}

#[test]
fn a_zero_denominator_drops_the_position_with_a_note() {
    let lat = [(39, 1), (54, 0), (0, 1)];
    let (position, notes) = gps_outcome(&position_fields(&lat, "N", &GOOD_LON, "E"));

    assert_eq!(position, None);
    assert_eq!(notes, vec![Note::GpsDropped(GpsProblem::ZeroDenominator)]);
}

#[test]
fn the_null_island_position_is_dropped_with_a_note() {
    let zero = [(0, 1), (0, 1), (0, 1)];
    let (position, notes) = gps_outcome(&position_fields(&zero, "N", &zero, "E"));

    assert_eq!(position, None);
    assert_eq!(notes, vec![Note::GpsDropped(GpsProblem::NullIsland)]);
}

#[test]
fn latitudes_beyond_ninety_and_minutes_of_sixty_or_more_are_dropped() {
    let beyond_pole = [(91, 1), (0, 1), (0, 1)];
    let sixty_minutes = [(39, 1), (60, 1), (0, 1)];

    for lat in [beyond_pole, sixty_minutes] {
        let (position, notes) = gps_outcome(&position_fields(&lat, "N", &GOOD_LON, "E"));
        assert_eq!(position, None);
        assert_eq!(notes, vec![Note::GpsDropped(GpsProblem::OutOfRange)]);
    }
}

#[test]
fn a_longitude_beyond_one_hundred_and_eighty_is_dropped() {
    let lon = [(181, 1), (0, 1), (0, 1)];
    let (position, notes) = gps_outcome(&position_fields(&GOOD_LAT, "N", &lon, "E"));

    assert_eq!(position, None);
    assert_eq!(notes, vec![Note::GpsDropped(GpsProblem::OutOfRange)]);
}

#[test]
fn a_missing_or_unknown_hemisphere_letter_drops_the_position() {
    let mut fields = position_fields(&GOOD_LAT, "N", &GOOD_LON, "E");
    fields.remove(3);
    assert_eq!(gps_outcome(&fields).1, vec![Note::GpsDropped(GpsProblem::Incomplete)]);

    let fields = position_fields(&GOOD_LAT, "Q", &GOOD_LON, "E");
    assert_eq!(gps_outcome(&fields).1, vec![Note::GpsDropped(GpsProblem::BadReference)]);
}

#[test]
fn a_position_the_receiver_marked_void_is_dropped() {
    let mut fields = position_fields(&GOOD_LAT, "N", &GOOD_LON, "E");
    fields.push(ascii(Tag::GPSStatus, "V"));

    assert_eq!(gps_outcome(&fields), (None, vec![Note::GpsDropped(GpsProblem::NoFix)]));
}

#[test]
fn an_altitude_below_sea_level_is_negative_and_a_broken_one_is_dropped_alone() {
    let mut fields = position_fields(&GOOD_LAT, "N", &GOOD_LON, "E");
    fields.push(rationals(Tag::GPSAltitude, &[(4305, 10)]));
    fields.push(Field {
        tag: Tag::GPSAltitudeRef,
        ifd_num: In::PRIMARY,
        value: Value::Byte(vec![1]),
    });
    let photo = forged(&fields);
    assert_near(photo.gps.expect("position").alt_m.expect("altitude"), -430.5, 1e-9, "altitude");

    let mut fields = position_fields(&GOOD_LAT, "N", &GOOD_LON, "E");
    fields.push(rationals(Tag::GPSAltitude, &[(100, 0)]));
    let photo = forged(&fields);
    let gps = photo.gps.expect("position kept without its altitude");
    assert_eq!(gps.alt_m, None);
    assert_eq!(photo.notes, vec![Note::AltitudeDropped(GpsProblem::ZeroDenominator)]);
}

#[test]
fn a_capture_time_that_is_not_a_date_keeps_its_text_and_earns_a_note() {
    let photo = forged(&[ascii(Tag::DateTimeOriginal, "0000:00:00 00:00:00")]);

    let taken = photo.captured_at.expect("text kept");
    assert_eq!(taken.text, "0000:00:00 00:00:00");
    assert_eq!(taken.local, None);
    assert_eq!(photo.notes, vec![Note::CaptureTimeUnparsed]);
}

#[test]
fn notes_have_stable_codes_and_debug_output_never_shows_a_position() {
    let note = Note::GpsDropped(GpsProblem::NullIsland);
    assert_eq!(note.code(), "gps_dropped_null_island");
    assert!(note.to_string().starts_with("GPS position dropped"));

    let photo = normalised("Kodak_CX7530.jpg");
    assert!(photo.gps.is_some_and(|gps| gps.lon > 36.0));
    assert!(!format!("{photo:?}").contains("36.05"), "Debug must not print coordinates");
}

// ---------------------------------------------------------------------------------------------
// Refusals
// ---------------------------------------------------------------------------------------------

#[test]
fn the_corrupted_jpeg_is_refused_although_a_lenient_decoder_accepts_it() {
    let bytes = fixture("corrupted.jpg");
    let lenient = DecoderOptions::default().set_strict_mode(false);
    assert!(JpegDecoder::new_with_options(ZCursor::new(&bytes), lenient).decode().is_ok());

    let error = refusal(&bytes);
    assert!(matches!(error, PhotoError::Corrupt { .. }), "got {error:?}");
    assert_eq!(error.code(), "corrupt");
}

#[test]
fn a_truncated_jpeg_is_refused_as_truncated() {
    let error = refusal(&fixture("truncated_jpeg.jpg"));

    assert_eq!(error, PhotoError::Truncated);
    assert_eq!(error.code(), "truncated");
}

#[test]
fn a_truncated_png_is_refused_as_truncated() {
    assert_eq!(refusal(&fixture("truncated_image.png")), PhotoError::Truncated);
}

#[test]
fn a_camera_jpeg_cut_off_halfway_is_refused_as_truncated() {
    let whole = fixture("DSCN0010.jpg");

    assert_eq!(refusal(&whole[..whole.len() / 2]), PhotoError::Truncated);
}

#[test]
fn a_jpeg_with_flipped_bits_in_its_entropy_data_is_refused_though_a_lenient_decoder_accepts_it() {
    let damaged = with_flipped_bits(&fixture("DSCN0010.jpg"), 20_000, 64);
    assert!(lenient_decoder_accepts(&damaged));

    let error = refusal(&damaged);
    assert!(matches!(error, PhotoError::Corrupt { .. }), "got {error:?}");
}

#[test]
fn most_stretches_of_flipped_bits_anywhere_in_a_photo_are_refused() {
    // Damage that the Huffman code recovers from within a few blocks can pass unnoticed; it
    // leaves a few wrong blocks. A lenient decoder accepts every one of these copies; at least
    // 80% of them must be refused.
    for name in ["DSCN0010.jpg", "landscape_1.jpg", "Kodak_CX7530.jpg"] {
        let whole = fixture(name);
        let room = whole.len() - scan_data_offset(&whole) - 100;
        let copies: Vec<Vec<u8>> =
            (0..20).map(|i| with_flipped_bits(&whole, room * i / 20, 64)).collect();
        assert!(copies.iter().all(|copy| lenient_decoder_accepts(copy)));

        let refused = copies.iter().filter(|copy| refusal_or_none(copy).is_some()).count();
        assert!(refused >= 16, "{name}: only {refused} of 20 damaged copies refused");
    }
}

#[test]
fn valid_jpegs_of_every_common_layout_pass_the_strict_checks() {
    use jpeg_encoder::{ColorType, Encoder, SamplingFactor};

    let (width, height) = (97u16, 61u16);
    let rgb: Vec<u8> = (0..u32::from(width) * u32::from(height))
        .flat_map(|i| [(i % 251) as u8, (i / 7 % 256) as u8, (i * 13 % 256) as u8])
        .collect();
    let sampling = [
        SamplingFactor::F_1_1,
        SamplingFactor::F_2_1,
        SamplingFactor::F_2_2,
        SamplingFactor::F_4_1,
    ];

    for factor in sampling {
        for (restart, optimised, progressive) in
            [(None, false, false), (Some(3), true, false), (Some(1), false, true)]
        {
            let mut jpeg = Vec::new();
            let mut encoder = Encoder::new(&mut jpeg, 85);
            encoder.set_sampling_factor(factor);
            encoder.set_optimized_huffman_tables(optimised);
            encoder.set_progressive(progressive);
            if let Some(interval) = restart {
                encoder.set_restart_interval(interval);
            }
            encoder.encode(&rgb, width, height, ColorType::Rgb).expect("encodes");

            let photo = normalise(&jpeg, &Limits::default()).unwrap_or_else(|error| {
                panic!("{factor:?} restart {restart:?} optimised {optimised} progressive {progressive}: {error}")
            });
            assert_eq!((photo.width, photo.height), (97, 61));
        }
    }
}

#[test]
fn a_few_spare_bytes_before_the_end_marker_do_not_make_a_photo_corrupt() {
    // Some encoders leave stray bytes after the last block; libjpeg only warns about them.
    let whole = fixture("landscape_1.jpg");
    assert_eq!(&whole[whole.len() - 2..], &[0xFF, 0xD9]);
    let mut padded = whole[..whole.len() - 2].to_vec();
    padded.extend([0x00, 0x00, 0xFF, 0xD9]);

    let photo = normalise(&padded, &Limits::default()).expect("spare bytes are harmless");
    assert_eq!(photo.sha256, normalised("landscape_1.jpg").sha256);
}

#[test]
fn a_heif_photo_gets_an_answer_a_helper_can_act_on_in_chinese_and_english() {
    let error = refusal(&fixture("samplefilehub.heif"));
    assert_eq!(error, PhotoError::Heif);
    assert_eq!(error.code(), "heif_unsupported");

    let chinese = error.message_zh();
    assert!(chinese.contains("兼容性最佳") && chinese.contains("截屏"), "{chinese}");
    let english = error.to_string();
    assert!(english.contains("Most Compatible") && english.contains("screenshot"), "{english}");
}

#[test]
fn text_files_are_not_images_and_an_empty_file_is_called_empty() {
    for bytes in [&b"hello, this is not a photo"[..], b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"] {
        assert_eq!(refusal(bytes), PhotoError::NotAnImage);
    }
    let empty = refusal(b"");
    assert_eq!(empty, PhotoError::Empty);
    assert!(empty.to_string().contains("empty"), "{empty}");
    assert!(empty.message_zh().contains("空"), "{}", empty.message_zh());
}

#[test]
fn a_too_large_file_is_measured_in_megabytes() {
    let error = PhotoError::TooLarge { bytes: 31 * 1024 * 1024 + 1, limit: 30 * 1024 * 1024 };
    assert_eq!(
        error.to_string(),
        "the file is 32 MB, more than the 30 MB a photo may have; take the picture with the phone's own camera and send that"
    );
}

#[test]
fn gif_and_webp_are_refused_by_name() {
    let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;";
    let webp = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00";

    assert_eq!(refusal(gif), PhotoError::Unsupported { format: "GIF" });
    assert_eq!(refusal(webp), PhotoError::Unsupported { format: "WebP" });
}

#[test]
fn a_file_over_thirty_megabytes_is_refused_before_decoding() {
    let mut huge = fixture("DSCN0010.jpg");
    huge.resize(30 * 1024 * 1024 + 1, 0);

    let error = refusal(&huge);
    assert_eq!(
        error,
        PhotoError::TooLarge { bytes: 30 * 1024 * 1024 + 1, limit: 30 * 1024 * 1024 }
    );
    assert!(error.message_zh().contains("31 MB"), "{}", error.message_zh());
}

#[test]
fn a_jpeg_declaring_nineteen_thousand_pixels_a_side_is_refused_before_decoding() {
    // A decompression bomb: a small file whose header promises a 361-megapixel picture.
    let mut bomb = fixture("landscape_1.jpg");
    let frame = frame_header_offset(&bomb);
    bomb[frame + 1..frame + 5].copy_from_slice(&[0x4A, 0x38, 0x4A, 0x38]);

    let error = refusal(&bomb);
    assert_eq!(
        error,
        PhotoError::TooManyPixels { width: 19_000, height: 19_000, limit: 50_000_000 }
    );
}

#[test]
fn a_png_declaring_a_side_longer_than_the_limit_is_refused_before_decoding() {
    let mut bomb = fixture("transparent.png");
    bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());

    let error = refusal(&bomb);
    assert_eq!(error, PhotoError::SideTooLong { width: 100_000, height: 150, limit: 20_000 });
}

#[test]
fn smaller_limits_given_by_the_caller_are_honoured() {
    let limits = Limits { max_pixels: 100_000, ..Limits::default() };
    let error = normalise(&fixture("landscape_1.jpg"), &limits).expect_err("270,000 pixels");

    assert_eq!(error, PhotoError::TooManyPixels { width: 600, height: 450, limit: 100_000 });
}

#[test]
fn every_refusal_has_a_distinct_code_and_a_chinese_message() {
    let errors = [
        PhotoError::Empty,
        PhotoError::NotAnImage,
        PhotoError::TooLarge { bytes: 2, limit: 1 },
        PhotoError::Truncated,
        PhotoError::Corrupt { reason: "x".to_owned() },
        PhotoError::Heif,
        PhotoError::Unsupported { format: "GIF" },
        PhotoError::TooManyPixels { width: 1, height: 1, limit: 0 },
        PhotoError::SideTooLong { width: 1, height: 1, limit: 0 },
        PhotoError::MemoryLimit { limit: 0 },
        PhotoError::Resize { reason: "x".to_owned() },
        PhotoError::Encode { reason: "x".to_owned() },
    ];
    let mut codes: Vec<_> = errors.iter().map(PhotoError::code).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), errors.len(), "codes collide: {codes:?}");

    for error in &errors {
        let code = error.code();
        assert!(code.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{code}");
        assert!(error.message_zh().chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
    }
}

// ---------------------------------------------------------------------------------------------
// The output
// ---------------------------------------------------------------------------------------------

#[test]
fn a_transparent_png_is_flattened_on_white() {
    let source = image::load_from_memory(&fixture("transparent.png")).expect("PNG").into_rgba8();
    let (x, y) = (0..source.width())
        .flat_map(|x| (0..source.height()).map(move |y| (x, y)))
        .find(|&(x, y)| transparent_around(&source, x, y))
        .expect("transparent.png has a transparent area");
    let hidden = source.get_pixel(x, y).0;
    assert!(hidden[..3].iter().any(|&c| c < 200), "the hidden colour must not already be white");

    let photo = normalised("transparent.png");
    assert_eq!(photo.source_format, SourceFormat::Png);
    let grey = Grey::from_jpeg(&photo.jpeg);
    let shown = grey.pixels[y as usize * grey.width + x as usize];
    assert!(shown >= 245, "pixel ({x},{y}) shows as {shown}, not white");
}

/// Whether the 9×9 square around (x, y) is fully transparent, so JPEG blur cannot reach it.
fn transparent_around(picture: &image::RgbaImage, x: u32, y: u32) -> bool {
    let inside = x >= 4 && y >= 4 && x + 4 < picture.width() && y + 4 < picture.height();
    inside && (x - 4..=x + 4).all(|i| (y - 4..=y + 4).all(|j| picture.get_pixel(i, j).0[3] == 0))
}

#[test]
fn the_output_carries_no_exif_even_when_the_camera_wrote_plenty() {
    for name in ["DSCN0010.jpg", "iphone_hdr_NO.jpg", "Kodak_CX7530.jpg"] {
        assert!(has_exif_segment(&fixture(name)), "{name} should start with EXIF");

        let photo = normalised(name);
        assert!(!has_exif_segment(&photo.jpeg), "{name} output has EXIF");
        assert!(!has_exif_segment(&photo.thumbnail), "{name} thumbnail has EXIF");
        let markers: Vec<u8> = jpeg_header_segments(&photo.jpeg).iter().map(|s| s.0).collect();
        assert!(!markers.iter().any(|&m| (0xE1..=0xEF).contains(&m)), "markers {markers:x?}");
    }
}

#[test]
fn the_same_photo_normalised_twice_has_the_same_sha256() {
    let bytes = fixture("DSCN0010.jpg");
    let first = normalise(&bytes, &Limits::default()).expect("first");
    let second = normalise(&bytes, &Limits::default()).expect("second");

    assert_eq!(first.sha256, second.sha256);
    assert_eq!(first.sha256, hex::encode(Sha256::digest(&first.jpeg)));
    assert_ne!(first.sha256, normalised("Kodak_CX7530.jpg").sha256);
}

#[test]
fn a_twelve_megapixel_photo_is_shrunk_to_a_long_edge_of_2048() {
    let photo = normalised("42_IndexError.jpg");
    assert_eq!((photo.width, photo.height), (2048, 1536));

    let decoded = Grey::from_jpeg(&photo.jpeg);
    assert_eq!((decoded.width, decoded.height), (2048, 1536));
    let thumbnail = Grey::from_jpeg(&photo.thumbnail);
    assert_eq!((thumbnail.width, thumbnail.height), (320, 240));
}

#[test]
fn a_small_photo_is_never_enlarged() {
    let photo = normalised("Kodak_CX7530.jpg");
    assert_eq!((photo.width, photo.height), (100, 78));

    let thumbnail = Grey::from_jpeg(&photo.thumbnail);
    assert_eq!((thumbnail.width, thumbnail.height), (100, 78));
}

#[test]
fn a_progressive_jpeg_is_decoded() {
    let expected = expected();
    assert_eq!(expected["32-lens_data.jpeg"]["progressive"], true);

    let photo = normalised("32-lens_data.jpeg");
    assert_eq!((photo.width, photo.height), (200, 133));
    let grey = Grey::from_jpeg(&photo.jpeg);
    assert_eq!((grey.width, grey.height), (200, 133));
}

#[test]
fn a_greyscale_jpeg_comes_out_as_a_colour_jpeg_of_the_same_size() {
    let mut grey_jpeg = Vec::new();
    let pixels: Vec<u8> = (0..64 * 48).map(|i| (i % 256) as u8).collect();
    let mut encoder = jpeg_encoder::Encoder::new(&mut grey_jpeg, 90);
    encoder.set_restart_interval(5);
    encoder.encode(&pixels, 64, 48, jpeg_encoder::ColorType::Luma).expect("grey JPEG encodes");

    let photo = normalise(&grey_jpeg, &Limits::default()).expect("grey JPEG accepted");
    assert_eq!((photo.width, photo.height), (64, 48));
}
