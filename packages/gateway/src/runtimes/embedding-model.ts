/**
 * The local embedding model's place in the agent image: `praktor image build` copies the folder of
 * `memory.embeddings.model_dir` there (as the original pre-downloads its model to /opt/models), so a container reads
 * it without a host folder mounted and without a download.
 */
export const IMAGE_EMBEDDING_MODEL_DIR = '/app/models/embedding';
