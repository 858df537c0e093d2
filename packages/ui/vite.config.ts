import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  server: {
    // No changeOrigin: the gateway compares the WebSocket's Origin with its Host, and both must stay the dev server's.
    proxy: { '/api': { target: 'http://127.0.0.1:8080', ws: true } },
  },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
});
