//! Camera traffic: builds pushes the way Hikvision and Dahua ANPR cameras send them, and a
//! seeded generator of realistic gate traffic.
//!
//! Formats (see the gate agent's `camera` module for the receiving side):
//! - Hikvision ISAPI: `multipart/form-data` with an `anpr.xml` part
//!   (`EventNotificationAlert`, `eventType=ANPR`) and `licensePlatePicture.jpg` /
//!   `detectionPicture.jpg` parts; heartbeats are the envelope with `eventState=inactive`;
//! - Dahua ITSAPI: JSON `{"Picture": {"Plate", "SnapInfo", "Vehicle", "NormalPic",
//!   "CutoutPic"}}` with base64 pictures, and `{"Active": true, "DeviceID"}` keep-alives.
//!
//! Traffic mix: mostly yellow heavy-truck plates (冀B12345), some 8-character new-energy
//! plates (冀B12345D for large vehicles, 冀BD12345 for small ones), trailers ending in 挂,
//! and a few vehicles without a plate (无牌). Some reads are misread the way Chinese ANPR
//! misreads: the province character, 8/B, 0/D. Some pushes are repeated (the same camera
//! event sent again, or the same truck read again seconds later).
//!
//! The generator is deterministic for a seed, so a demo or a test can be replayed.

use std::time::Duration;

use base64::Engine as _;
use chrono::{DateTime, FixedOffset, Utc};

/// A small real JPEG of a yellow plate crop.
pub const PLATE_JPEG: &[u8] = include_bytes!("../assets/plate.jpg");
/// A small real JPEG of a scene with a truck.
pub const SCENE_JPEG: &[u8] = include_bytes!("../assets/scene.jpg");

/// Travel direction relative to the camera.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Travel {
    /// Hikvision `forward`, Dahua `Obverse`.
    Forward,
    /// Hikvision `reverse`, Dahua `Reverse`.
    Reverse,
}

/// One vehicle seen by a camera.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sighting {
    /// The plate as read, `None` for a vehicle without a plate.
    pub read: Option<String>,
    /// The plate really on the vehicle (for checking matching), `None` without a plate.
    pub truth: Option<String>,
    /// Read confidence, 0–100.
    pub confidence: u8,
    /// Plate colour word as cameras send it (`yellow`, `blue`, `yellowgreen`, …).
    pub colour: &'static str,
    /// The camera's lane number.
    pub camera_lane: u32,
    /// Direction of travel.
    pub travel: Travel,
    /// Capture time.
    pub time: DateTime<FixedOffset>,
    /// The camera's event number; the same number on a re-upload.
    pub event_no: u64,
}

fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The `anpr.xml` of a sighting, uploaded for the `post_count`-th time.
pub fn hikvision_xml(device: &str, s: &Sighting, post_count: u32) -> String {
    let plate = s.read.as_deref().unwrap_or("无车牌");
    let direction = match s.travel {
        Travel::Forward => "forward",
        Travel::Reverse => "reverse",
    };
    let believe: Vec<String> = s
        .read
        .as_deref()
        .unwrap_or("")
        .chars()
        .enumerate()
        .map(|(i, _)| s.confidence.saturating_sub(if i == 0 { 6 } else { 0 }).to_string())
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<EventNotificationAlert version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">
<ipAddress>192.0.2.21</ipAddress>
<portNo>80</portNo>
<protocol>HTTP</protocol>
<macAddress>44:19:b6:00:00:21</macAddress>
<channelID>1</channelID>
<dateTime>{time}</dateTime>
<activePostCount>{post_count}</activePostCount>
<eventType>ANPR</eventType>
<eventState>active</eventState>
<eventDescription>ANPR</eventDescription>
<deviceID>{device}</deviceID>
<ANPR>
<country>CHN</country>
<licensePlate>{plate}</licensePlate>
<line>{lane}</line>
<direction>{direction}</direction>
<confidenceLevel>{confidence}</confidenceLevel>
<plateCharBelieve>{believe}</plateCharBelieve>
<plateType>unknown</plateType>
<plateColor>{colour}</plateColor>
<licenseBright>0</licenseBright>
<dangmark>no</dangmark>
<twoWheelVehicle>no</twoWheelVehicle>
<threeWheelVehicle>no</threeWheelVehicle>
<vehicleType>truck</vehicleType>
<detectDir>8</detectDir>
<detectType>0</detectType>
<alarmDataType>0</alarmDataType>
<vehicleInfo>
<index>{event}</index>
<colorDepth>2</colorDepth>
<color>red</color>
<length>0</length>
<vehicleLogoRecog>1052</vehicleLogoRecog>
</vehicleInfo>
<pictureInfoList>
<pictureInfo><fileName>licensePlatePicture.jpg</fileName><type>licensePlatePicture</type><dataType>0</dataType></pictureInfo>
<pictureInfo><fileName>detectionPicture.jpg</fileName><type>detectionPicture</type><dataType>0</dataType></pictureInfo>
</pictureInfoList>
<originalLicensePlate>{plate}</originalLicensePlate>
<vehicleListName>otherList</vehicleListName>
</ANPR>
<UUID>{uuid}</UUID>
<picNum>2</picNum>
</EventNotificationAlert>
"#,
        time = s.time.to_rfc3339(),
        uuid = hikvision_uuid(device, s.event_no),
        lane = s.camera_lane,
        confidence = s.confidence,
        believe = believe.join(","),
        colour = s.colour,
        event = s.event_no,
    )
}

/// The UUID a Hikvision camera would give event `n`.
pub fn hikvision_uuid(device: &str, n: u64) -> String {
    let h = device
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        h as u32,
        (n >> 16) as u16,
        n & 0xfff,
        (h >> 40) & 0xfff,
        n
    )
}

/// A heartbeat: the envelope with `eventState=inactive`.
pub fn hikvision_heartbeat(device: &str, now: DateTime<FixedOffset>) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<EventNotificationAlert version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">
<ipAddress>192.0.2.21</ipAddress>
<macAddress>44:19:b6:00:00:21</macAddress>
<channelID>1</channelID>
<dateTime>{}</dateTime>
<activePostCount>0</activePostCount>
<eventType>videoloss</eventType>
<eventState>inactive</eventState>
<eventDescription>videoloss alarm</eventDescription>
<deviceID>{device}</deviceID>
</EventNotificationAlert>
"#,
        now.to_rfc3339()
    )
}

/// The boundary used in generated multipart bodies.
pub const BOUNDARY: &str = "----gateledgerSimBoundary7MA4YWxk";

/// A Hikvision multipart push: `(content type, body)`.
pub fn hikvision_multipart(device: &str, s: &Sighting, post_count: u32) -> (String, Vec<u8>) {
    let xml = hikvision_xml(device, s, post_count);
    let mut parts: Vec<(&str, &str, &[u8])> = vec![("anpr.xml", "text/xml", xml.as_bytes())];
    if s.read.is_some() {
        parts.push(("licensePlatePicture.jpg", "image/jpeg", PLATE_JPEG));
    }
    parts.push(("detectionPicture.jpg", "image/jpeg", SCENE_JPEG));
    multipart(&parts)
}

/// Builds a `multipart/form-data` body from `(name, content type, bytes)` parts, with a
/// Content-ID per part as Hikvision sends it.
pub fn multipart(parts: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    for (i, (name, ctype, bytes)) in parts.iter().enumerate() {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        body.extend_from_slice(
            format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{name}\"\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nContent-ID: {}\r\n\r\n",
                bytes.len(),
                i + 1
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

/// A Dahua `TollgateInfo` body.
pub fn dahua_json(device: &str, s: &Sighting) -> String {
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let local = s.time.with_timezone(&china());
    serde_json::json!({
        "Picture": {
            "CutoutPic": if s.read.is_some() { serde_json::json!({"Content": b64(PLATE_JPEG), "PicName": "CutoutPic.jpg"}) } else { serde_json::Value::Null },
            "NormalPic": {"Content": b64(SCENE_JPEG), "PicName": "NormalPic.jpg"},
            "Plate": {
                "BoundingBox": [1040, 610, 1220, 660],
                "Channel": 0,
                "Confidence": s.confidence,
                "IsExist": s.read.is_some(),
                "PlateColor": dahua_colour(s.colour),
                "PlateNumber": s.read.clone().unwrap_or_default(),
                "PlateType": "Normal",
                "UploadNum": 1
            },
            "SnapInfo": {
                "AccurateTime": local.format("%Y-%m-%d %H:%M:%S%.3f").to_string(),
                "DeviceID": device,
                "Direction": match s.travel { Travel::Forward => "Obverse", Travel::Reverse => "Reverse" },
                "EventID": s.event_no,
                "GroupID": s.event_no,
                "CountInGroup": 1,
                "IndexInGroup": 1,
                "Lane": s.camera_lane,
                "SnapTime": local.format("%Y-%m-%d %H:%M:%S").to_string(),
                "TriggerSource": "Video"
            },
            "Vehicle": {
                "VehicleBoundingBox": [820, 300, 1460, 900],
                "VehicleColor": "Red",
                "VehicleSeries": "J6P",
                "VehicleSign": "FAW",
                "VehicleType": "LargeTruck"
            }
        }
    })
    .to_string()
}

fn dahua_colour(colour: &str) -> &'static str {
    match colour {
        "yellow" => "Yellow",
        "blue" => "Blue",
        "yellowgreen" => "YellowGreen",
        "green" => "Green",
        _ => "Unknown",
    }
}

/// A Dahua keep-alive body.
pub fn dahua_keepalive(device: &str) -> String {
    serde_json::json!({"Active": true, "DeviceID": device}).to_string()
}

/// A small deterministic PRNG (SplitMix64): the generator must replay exactly for a seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// Seeded.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Provinces common around heavy industry in the north (河北, 山西, 山东, 河南, 内蒙古, 天津, 辽宁).
pub const PROVINCES: [char; 7] = ['冀', '晋', '鲁', '豫', '蒙', '津', '辽'];
const LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";

fn city(rng: &mut Rng) -> char {
    char::from(*rng.pick(&LETTERS[..8]))
}

fn digits(rng: &mut Rng, n: usize) -> String {
    (0..n).map(|_| char::from(b'0' + rng.below(10) as u8)).collect()
}

/// A plate and its colour word, drawn from the mix described in the module docs.
pub fn random_plate(rng: &mut Rng) -> (String, &'static str) {
    let p = *rng.pick(&PROVINCES);
    let c = city(rng);
    match rng.below(100) {
        // Yellow heavy truck: 5 characters after the city letter, letters allowed, digits mostly.
        0..=64 => {
            let mut tail = digits(rng, 5).into_bytes();
            if rng.chance(40) {
                let i = rng.below(5) as usize;
                tail[i] = *rng.pick(LETTERS);
            }
            (format!("{p}{c}{}", String::from_utf8(tail).expect("ascii")), "yellow")
        }
        // Large new-energy truck: 5 digits then D (pure electric) or F (hybrid), yellow-green.
        65..=77 => (
            format!("{p}{c}{}{}", digits(rng, 5), if rng.chance(70) { 'D' } else { 'F' }),
            "yellowgreen",
        ),
        // Small new-energy vehicle: D or F then 5 characters, gradient green.
        78..=84 => {
            (format!("{p}{c}{}{}", if rng.chance(70) { 'D' } else { 'F' }, digits(rng, 5)), "green")
        }
        // Trailer.
        85..=94 => (format!("{p}{c}{}挂", digits(rng, 4)), "yellow"),
        // Blue light vehicle (visitors, staff).
        _ => (format!("{p}{c}{}", digits(rng, 5)), "blue"),
    }
}

/// Misreads `plate` once, the way Chinese ANPR does: the province, 8/B or 0/D. Returns
/// `None` when the plate has no character the chosen misread applies to.
pub fn misread(rng: &mut Rng, plate: &str) -> Option<String> {
    let chars: Vec<char> = plate.chars().collect();
    let kind = rng.below(3);
    let mut out = chars.clone();
    match kind {
        0 => {
            let other = *rng
                .pick(&PROVINCES.iter().copied().filter(|c| *c != chars[0]).collect::<Vec<_>>());
            out[0] = other;
        }
        1 | 2 => {
            let pairs: &[(char, char)] =
                if kind == 1 { &[('8', 'B'), ('B', '8')] } else { &[('0', 'D'), ('D', '0')] };
            let spots: Vec<usize> =
                (1..chars.len()).filter(|&i| pairs.iter().any(|(a, _)| *a == chars[i])).collect();
            if spots.is_empty() {
                return None;
            }
            let i = *rng.pick(&spots);
            out[i] = pairs.iter().find(|(a, _)| *a == chars[i]).expect("spot has a pair").1;
        }
        _ => unreachable!("below(3)"),
    }
    Some(out.into_iter().collect())
}

/// The registered fleet of a seed: the plates a demo registers on the gate.
pub fn fleet(seed: u64, size: usize) -> Vec<(String, &'static str)> {
    let mut rng = Rng::new(seed ^ 0xf1ee7);
    let mut plates: Vec<(String, &'static str)> = Vec::with_capacity(size);
    while plates.len() < size {
        let (p, c) = random_plate(&mut rng);
        if plates.iter().all(|(q, _)| *q != p) {
            plates.push((p, c));
        }
    }
    plates
}

/// Which vendor format a push uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vendor {
    /// Hikvision ISAPI multipart.
    Hikvision,
    /// Dahua ITSAPI JSON.
    Dahua,
}

/// One HTTP push to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Push {
    /// The path on the gate (`/camera/hikvision`, `/NotificationInfo/TollgateInfo`, …).
    pub path: &'static str,
    /// The Content-Type.
    pub content_type: String,
    /// The body.
    pub body: Vec<u8>,
    /// What it carries, for logs and tests.
    pub kind: PushKind,
}

/// What a generated push carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushKind {
    /// A vehicle, first upload.
    Vehicle(Sighting),
    /// The same camera event uploaded again.
    Reupload(Sighting),
    /// The same vehicle read again shortly after, as a new camera event.
    Reread(Sighting),
    /// A heartbeat.
    Heartbeat,
}

/// The traffic generator's knobs.
#[derive(Debug, Clone)]
pub struct TrafficConfig {
    /// Seed.
    pub seed: u64,
    /// Which formats (both alternate when both are listed).
    pub vendors: Vec<Vendor>,
    /// The Hikvision camera's device id.
    pub hikvision_device: String,
    /// The Dahua camera's device id.
    pub dahua_device: String,
    /// The registered fleet size (most traffic is the fleet).
    pub fleet: usize,
    /// Percent of vehicles from outside the fleet.
    pub strangers_percent: u64,
    /// Percent of reads that are misread.
    pub misread_percent: u64,
    /// Percent of vehicles without a plate.
    pub no_plate_percent: u64,
    /// Percent of pushes uploaded twice.
    pub reupload_percent: u64,
    /// Percent of vehicles read twice.
    pub reread_percent: u64,
    /// A heartbeat every this many vehicles.
    pub heartbeat_every: u64,
}

impl Default for TrafficConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            vendors: vec![Vendor::Hikvision, Vendor::Dahua],
            hikvision_device: "DS-TCG405-E0120230101AAWRJ00001".to_owned(),
            dahua_device: "6F0A1B2PAZ00001".to_owned(),
            fleet: 40,
            strangers_percent: 15,
            misread_percent: 12,
            no_plate_percent: 3,
            reupload_percent: 8,
            reread_percent: 6,
            heartbeat_every: 10,
        }
    }
}

/// A deterministic stream of pushes.
#[derive(Debug, Clone)]
pub struct Traffic {
    config: TrafficConfig,
    rng: Rng,
    fleet: Vec<(String, &'static str)>,
    vehicles: u64,
    pending: Vec<Push>,
}

impl Traffic {
    /// A generator for `config`.
    pub fn new(config: TrafficConfig) -> Self {
        let fleet = fleet(config.seed, config.fleet);
        Self { rng: Rng::new(config.seed), fleet, vehicles: 0, pending: Vec::new(), config }
    }

    /// The registered fleet.
    pub fn fleet(&self) -> &[(String, &'static str)] {
        &self.fleet
    }

    fn push_for(&self, vendor: Vendor, s: &Sighting, post_count: u32, kind: PushKind) -> Push {
        match vendor {
            Vendor::Hikvision => {
                let (content_type, body) =
                    hikvision_multipart(&self.config.hikvision_device, s, post_count);
                Push { path: "/camera/hikvision", content_type, body, kind }
            }
            Vendor::Dahua => Push {
                path: "/NotificationInfo/TollgateInfo",
                content_type: "application/json;charset=UTF-8".to_owned(),
                body: dahua_json(&self.config.dahua_device, s).into_bytes(),
                kind,
            },
        }
    }

    /// The next push, at `now`.
    pub fn next_push(&mut self, now: DateTime<Utc>) -> Push {
        if let Some(p) = self.pending.pop() {
            return p;
        }
        let vendor =
            self.config.vendors[(self.vehicles % self.config.vendors.len() as u64) as usize];
        if self.config.heartbeat_every > 0
            && self.vehicles > 0
            && self.vehicles.is_multiple_of(self.config.heartbeat_every)
            && self.pending.is_empty()
        {
            self.vehicles += 1;
            let now = now.with_timezone(&china());
            return match vendor {
                Vendor::Hikvision => Push {
                    path: "/camera/hikvision",
                    content_type: "application/xml".to_owned(),
                    body: hikvision_heartbeat(&self.config.hikvision_device, now).into_bytes(),
                    kind: PushKind::Heartbeat,
                },
                Vendor::Dahua => Push {
                    path: "/NotificationInfo/KeepAlive",
                    content_type: "application/json".to_owned(),
                    body: dahua_keepalive(&self.config.dahua_device).into_bytes(),
                    kind: PushKind::Heartbeat,
                },
            };
        }
        self.vehicles += 1;
        let rng = &mut self.rng;
        let (truth, colour) = if rng.chance(self.config.no_plate_percent) {
            (None, "unknown")
        } else if rng.chance(self.config.strangers_percent) || self.fleet.is_empty() {
            let (p, c) = random_plate(rng);
            (Some(p), c)
        } else {
            let (p, c) = rng.pick(&self.fleet).clone();
            (Some(p), c)
        };
        let read = match &truth {
            Some(t) if rng.chance(self.config.misread_percent) => {
                misread(rng, t).or_else(|| Some(t.clone()))
            }
            other => other.clone(),
        };
        let confidence =
            if read != truth { 70 + rng.below(25) as u8 } else { 85 + rng.below(15) as u8 };
        let sighting = Sighting {
            read,
            truth,
            confidence,
            colour,
            camera_lane: 1,
            travel: Travel::Forward,
            time: now.with_timezone(&china()),
            event_no: 1000 + self.vehicles,
        };
        if self.rng.chance(self.config.reupload_percent) {
            self.pending.push(self.push_for(
                vendor,
                &sighting,
                2,
                PushKind::Reupload(sighting.clone()),
            ));
        } else if sighting.read.is_some() && self.rng.chance(self.config.reread_percent) {
            let mut again = sighting.clone();
            self.vehicles += 1;
            again.event_no = 1000 + self.vehicles;
            again.time += chrono::Duration::seconds(3);
            self.pending.push(self.push_for(vendor, &again, 1, PushKind::Reread(again.clone())));
        }
        self.push_for(vendor, &sighting, 1, PushKind::Vehicle(sighting.clone()))
    }
}

/// Sends `count` pushes (or forever) to `target` (`http://host:port`) at `rate` per second;
/// prints one line per push with the answer's status.
pub async fn run(
    target: &str,
    rate: f64,
    count: Option<u64>,
    config: TrafficConfig,
) -> anyhow::Result<()> {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build()?;
    let mut traffic = Traffic::new(config);
    let interval = Duration::from_secs_f64(1.0 / rate.max(0.01));
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut sent = 0u64;
    while count.is_none_or(|c| sent < c) {
        ticker.tick().await;
        let push = traffic.next_push(Utc::now());
        let url = format!("{}{}", target.trim_end_matches('/'), push.path);
        let what = match &push.kind {
            PushKind::Vehicle(s) => format!("vehicle {}", s.read.as_deref().unwrap_or("无牌")),
            PushKind::Reupload(s) => format!("re-upload {}", s.read.as_deref().unwrap_or("无牌")),
            PushKind::Reread(s) => format!("re-read {}", s.read.as_deref().unwrap_or("无牌")),
            PushKind::Heartbeat => "heartbeat".to_owned(),
        };
        match client
            .post(&url)
            .header("content-type", &push.content_type)
            .body(push.body)
            .send()
            .await
        {
            Ok(resp) => println!("{} {what} -> {}", push.path, resp.status()),
            Err(e) => println!("{} {what} -> error: {e}", push.path),
        }
        sent += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plate_mix_has_every_kind() {
        let mut rng = Rng::new(7);
        let plates: Vec<(String, &str)> = (0..400).map(|_| random_plate(&mut rng)).collect();
        assert!(
            plates
                .iter()
                .any(|(p, c)| *c == "yellow" && p.chars().count() == 7 && !p.ends_with('挂'))
        );
        assert!(plates.iter().any(|(p, _)| p.chars().count() == 8), "new-energy plates");
        assert!(plates.iter().any(|(p, _)| p.ends_with('挂')), "trailers");
        for (p, _) in &plates {
            assert!(PROVINCES.contains(&p.chars().next().unwrap()), "{p}");
        }
    }

    #[test]
    fn misreads_change_exactly_one_character_of_the_known_kinds() {
        let mut rng = Rng::new(3);
        for _ in 0..200 {
            let plate = "冀B80D08";
            let Some(m) = misread(&mut rng, plate) else { continue };
            let diffs: Vec<(char, char)> =
                plate.chars().zip(m.chars()).filter(|(a, b)| a != b).collect();
            assert_eq!(diffs.len(), 1, "{m}");
            let (a, b) = diffs[0];
            let ok = (PROVINCES.contains(&a) && PROVINCES.contains(&b))
                || matches!((a, b), ('8', 'B') | ('B', '8') | ('0', 'D') | ('D', '0'));
            assert!(ok, "{plate} -> {m}");
        }
    }

    #[test]
    fn traffic_is_deterministic_and_mixes_formats_and_repeats() {
        let now = Utc::now();
        let mut a = Traffic::new(TrafficConfig::default());
        let mut b = Traffic::new(TrafficConfig::default());
        let pushes: Vec<Push> = (0..300).map(|_| a.next_push(now)).collect();
        let again: Vec<Push> = (0..300).map(|_| b.next_push(now)).collect();
        assert_eq!(pushes, again);
        assert!(pushes.iter().any(|p| p.path == "/camera/hikvision"));
        assert!(pushes.iter().any(|p| p.path == "/NotificationInfo/TollgateInfo"));
        assert!(pushes.iter().any(|p| matches!(p.kind, PushKind::Reupload(_))));
        assert!(pushes.iter().any(|p| matches!(p.kind, PushKind::Reread(_))));
        assert!(pushes.iter().any(|p| matches!(p.kind, PushKind::Heartbeat)));
        assert!(pushes.iter().any(|p| matches!(&p.kind, PushKind::Vehicle(s) if s.read.is_none())));
        assert!(pushes.iter().any(
            |p| matches!(&p.kind, PushKind::Vehicle(s) if s.read.is_some() && s.read != s.truth)
        ));
    }
}
