// An in-memory labelled image set: images [N, C, H, W] float32 in [-1, 1], integer labels, captions.
export interface ImageSet {
  name: string;
  images: Float32Array;
  labels: Int32Array;
  captions: string[];
  channels: number;
  height: number;
  width: number;
  classes: number;
}

export function imageCount(s: ImageSet): number {
  return s.labels.length;
}
