/** Plain data that crosses the thread boundary. */

/** `workerData` of every pool thread: the task kind it serves and the data shared by all tasks. */
export interface WorkerInit {
  kind: string;
  shared: unknown;
}
