//! Charts drawn on the server as SVG: no chart library, no script, and the page shows the
//! same picture with JavaScript off. Every chart carries a `<title>` and a `<desc>` listing
//! its values, for screen readers.

use std::fmt::Write;

/// One bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// What it counts.
    pub label: String,
    /// How many.
    pub value: i64,
    /// Its fill colour (`#rrggbb`).
    pub colour: &'static str,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A horizontal bar chart: one row per bar, the bar's length proportional to its value,
/// the value written at its end.
pub fn bar_chart(id: &str, title: &str, bars: &[Bar]) -> String {
    const ROW: i64 = 26;
    const LABEL: i64 = 150;
    const WIDTH: i64 = 520;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let height = ROW * bars.len().max(1) as i64 + 8;
    let span = WIDTH - LABEL - 60;
    let desc =
        bars.iter().map(|b| format!("{}: {}", b.label, b.value)).collect::<Vec<_>>().join("; ");
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"{id}\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"{WIDTH}\" height=\"{height}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        escape(title),
        escape(&desc)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = ROW * i as i64 + 4;
        let len = if b.value > 0 { (span * b.value / max).max(2) } else { 0 };
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"13\" fill=\"currentColor\">{}</text>\
             <rect x=\"{LABEL}\" y=\"{y}\" width=\"{len}\" height=\"{}\" fill=\"{}\" \
             data-label=\"{}\" data-value=\"{}\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"13\" fill=\"currentColor\">{}</text>",
            LABEL - 8,
            y + 15,
            escape(&b.label),
            ROW - 8,
            b.colour,
            escape(&b.label),
            b.value,
            LABEL + len + 6,
            y + 15,
            b.value
        );
    }
    if bars.is_empty() {
        let _ =
            write!(svg, "<text x=\"10\" y=\"20\" font-size=\"13\" fill=\"currentColor\">—</text>");
    }
    svg.push_str("</svg>");
    svg
}

/// A colour per emission stage: red for the oldest, through amber, to green for 国六 and
/// electric, so the mix reads at a glance.
pub fn stage_colour(stage: &str) -> &'static str {
    match stage {
        "electric" => "#047857",
        "cn6" | "cn6a" | "cn6b" => "#16a34a",
        "cn5" => "#65a30d",
        "cn4" | "nr4" => "#ca8a04",
        "cn3" | "nr3" => "#ea580c",
        "unstaged" => "#6b7280",
        _ => "#dc2626",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_proportional_and_labels_escaped() {
        let svg = bar_chart(
            "mix",
            "排放阶段 <构成>",
            &[
                Bar { label: "国五".into(), value: 10, colour: "#65a30d" },
                Bar { label: "国六".into(), value: 5, colour: "#16a34a" },
                Bar { label: "A&B".into(), value: 0, colour: "#dc2626" },
            ],
        );
        assert!(svg.contains("<title id=\"mix-t\">排放阶段 &lt;构成&gt;</title>"));
        assert!(svg.contains("国五: 10; 国六: 5; A&amp;B: 0"));
        let width = |label: &str| -> i64 {
            let at = svg.find(&format!("data-label=\"{label}\"")).unwrap();
            let head = &svg[..at];
            let w = head.rsplit("width=\"").next().unwrap();
            w[..w.find('"').unwrap()].parse().unwrap()
        };
        assert_eq!(width("国五"), 310, "the largest bar spans the chart");
        assert_eq!(width("国六"), 155, "half the value, half the length");
        assert_eq!(width("A&amp;B"), 0);
    }
}
