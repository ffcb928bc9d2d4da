//! Any byte stream, cut into pieces of any sizes, through the frame decoder and both message
//! decoders. The decoders must return errors, never panic; a frame never exceeds the limit;
//! and a message that decodes re-encodes to a frame that decodes to the same message.

#![no_main]

use gate_protocol::frame::{FrameDecoder, MAX_FRAME_LEN};
use gate_protocol::{Downlink, Uplink};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte chooses the piece size, so that every split of the stream gets tried.
    let Some((&piece, stream)) = data.split_first() else { return };
    let piece = usize::from(piece).max(1);
    let mut decoder = FrameDecoder::new();
    for chunk in stream.chunks(piece) {
        let mut input = chunk;
        loop {
            match decoder.decode(&mut input) {
                Ok(Some(frame)) => {
                    assert!(frame.body.len() + 2 <= MAX_FRAME_LEN);
                    if let Ok(m) = Uplink::from_frame(&frame) {
                        let again = m.to_frame().expect("a decoded message encodes");
                        let mut bytes = &again[..];
                        let f = FrameDecoder::new().decode(&mut bytes).unwrap().unwrap();
                        assert_eq!(Uplink::from_frame(&f).unwrap(), m);
                    }
                    if let Ok(m) = Downlink::from_frame(&frame) {
                        let again = m.to_frame().expect("a decoded message encodes");
                        let mut bytes = &again[..];
                        let f = FrameDecoder::new().decode(&mut bytes).unwrap().unwrap();
                        assert_eq!(Downlink::from_frame(&f).unwrap(), m);
                    }
                }
                Ok(None) => break,
                Err(_) => return,
            }
        }
    }
});
