/** A file to upload next to a message when its content does not fit (files.uploadV2). */
export interface FileAttachment {
  filename: string;
  title: string;
  content: string;
}
