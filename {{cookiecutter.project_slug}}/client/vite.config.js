import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// Rendered by Cookiecutter: the template expressions below become the Python
// package's static directory and the Tornado port.
export default defineConfig({
  plugins: [vue()],
  define: {
    // Components use <script setup> only; drop the Options API from the bundle.
    __VUE_OPTIONS_API__: 'false',
  },
  build: {
    outDir: '../{{ cookiecutter.package_name }}/static',
    emptyOutDir: true,
    sourcemap: false,
  },
  server: {
    // `inv client` serves the sources; everything else comes from `inv server`.
    proxy: {
      '/ws': { target: 'ws://127.0.0.1:{{ cookiecutter.port }}', ws: true },
      '/api': 'http://127.0.0.1:{{ cookiecutter.port }}',
      '/login': 'http://127.0.0.1:{{ cookiecutter.port }}',
      '/logout': 'http://127.0.0.1:{{ cookiecutter.port }}',
    },
  },
  // vitest: `inv test-client` (npm test)
  test: {
    environment: 'happy-dom',
    include: ['tests/**/*.test.js'],
    restoreMocks: true,
  },
})
