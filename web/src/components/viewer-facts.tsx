// The viewer's facts about a photo: where it is in the list, its size and type, what the camera
// recorded (camera, lens, focal length, aperture, exposure, ISO, when it was taken), and when and
// by whom it was uploaded.
import { formatBytes } from '../helpers';

/** What the viewer shows: an image of a gallery, or one seen through a share link. */
export type ViewerImage = {
  id: number;
  title: string;
  description: string;
  preview: string;
  original: string | null;
  width: number | null;
  height: number | null;
  size: number;
  mimeType: string;
  capturedAt?: string | null;
  cameraModel?: string | null;
  thumbhash?: string | null;
  uploader?: { id: number; username: string };
  createdAt?: string;
  lensModel?: string | null;
  focalLength?: number | null;
  fNumber?: number | null;
  exposureTime?: number | null;
  iso?: number | null;
  tags?: string[];
  /** Whether the viewer starred it (absent where one cannot: a share page). */
  favorite?: boolean;
};

/** One fact, when the photo has it. */
function Fact({ name, value }: { name: string; value: string | null | undefined | 0 }) {
  if (!value) return null;
  return (
    <>
      <dt>{name}</dt>
      <dd>{value}</dd>
    </>
  );
}

/** At most one decimal: 2.8, 50, 4.5. */
const round = (value: number) => String(Math.round(value * 10) / 10);

/** An exposure time as cameras write it: "1/250 s" under a second, "2.5 s" above. */
export function exposure(seconds: number): string {
  return seconds < 1 ? `1/${Math.round(1 / seconds)} s` : `${round(seconds)} s`;
}

export function ImageFacts({ image, index, count }: { image: ViewerImage; index: number; count: number }) {
  return (
    <dl class="facts">
      <dt>Position</dt>
      <dd>
        {index + 1} of {count}
      </dd>
      <dt>Size</dt>
      <dd>
        {image.width && image.height ? `${image.width} × ${image.height} px, ` : ''}
        {formatBytes(image.size)}
      </dd>
      <dt>Type</dt>
      <dd>{image.mimeType}</dd>
      <Fact name="Camera" value={image.cameraModel} />
      <Fact name="Lens" value={image.lensModel} />
      <Fact name="Focal length" value={image.focalLength && `${round(image.focalLength)} mm`} />
      <Fact name="Aperture" value={image.fNumber && `ƒ/${round(image.fNumber)}`} />
      <Fact name="Exposure" value={image.exposureTime && exposure(image.exposureTime)} />
      <Fact name="ISO" value={image.iso && String(image.iso)} />
      {image.capturedAt && (
        <>
          <dt>Taken</dt>
          <dd>
            <time dateTime={image.capturedAt}>{formatTaken(image.capturedAt)}</time>
          </dd>
        </>
      )}
      {(image.createdAt || image.uploader) && (
        <>
          <dt>Uploaded</dt>
          <dd>
            {image.createdAt && <time dateTime={image.createdAt}>{formatMoment(image.createdAt)}</time>}
            {image.createdAt && image.uploader && ' by '}
            {image.uploader?.username}
          </dd>
        </>
      )}
    </dl>
  );
}

/** A day and a time in the reader's language: "May 1, 2024, 12:34 PM", "01.05.2024, 12:34". */
const DAY_AND_TIME: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' };

/** A moment (the server's ISO time) in the reader's language and time zone. */
function formatMoment(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : new Intl.DateTimeFormat(undefined, DAY_AND_TIME).format(date);
}

/** `2024-05-01T12:34:56`, with `+02:00` when the camera recorded its offset from UTC. */
const CAMERA_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?([+-]\d{2}:\d{2})?$/;

/**
 * When a photo was taken, as its camera's clock read where it was taken (not moved to the reader's
 * time zone: a sunset at 8 PM stays at 8 PM), with the camera's UTC offset when it wrote one.
 */
function formatTaken(value: string): string {
  const parts = CAMERA_TIME.exec(value);
  if (!parts) return value;
  const [year, month, day, hour, minute, second] = parts.slice(1, 7).map((part) => Number(part ?? 0));
  const wall = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const text = new Intl.DateTimeFormat(undefined, { ...DAY_AND_TIME, timeZone: 'UTC' }).format(wall);
  return parts[7] ? `${text} (UTC${parts[7]})` : text;
}
