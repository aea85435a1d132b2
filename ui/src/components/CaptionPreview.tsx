import type { StylePreview } from "../bindings/StylePreview";

const SAMPLE = ["This", "is", "how", "your", "captions", "look"];

/** A 9:16 frame with sample words drawn with the style's own numbers. */
export function CaptionPreview({ style }: { style: StylePreview | undefined }) {
  if (!style) {
    return (
      <div class="caption-preview" aria-hidden="true">
        <span class="caption-none">No captions</span>
      </div>
    );
  }
  const height = 160; // the frame's CSS height; the style's lengths are fractions of it
  const words = style.animation === "pop" ? [SAMPLE[2]] : SAMPLE.slice(0, style.max_words_per_line * 2);
  const text = (w: string) => (style.uppercase ? w.toUpperCase() : w);
  const outline = Math.max(1, style.outline * height);
  return (
    <div class="caption-preview" aria-label={`Preview of the ${style.name} caption style`} role="img">
      <div
        class={`caption-block align-${style.align}`}
        style={{
          top: `${style.position * 100}%`,
          fontSize: `${style.size * height}px`,
          fontWeight: style.bold ? "800" : "500",
          color: style.primary,
          background: style.boxed ? style.back_colour : "transparent",
          padding: style.boxed ? `${outline}px` : "0",
          textShadow: style.boxed
            ? "none"
            : `0 0 ${outline}px ${style.outline_colour}, 0 0 ${outline}px ${style.outline_colour}`,
        }}
      >
        {words.map((w, i) => (
          <span
            key={i}
            style={{
              color:
                (style.animation === "karaoke" && i === 1) || style.animation === "pop"
                  ? style.highlight
                  : style.primary,
            }}
          >
            {text(w)}{" "}
          </span>
        ))}
      </div>
    </div>
  );
}
