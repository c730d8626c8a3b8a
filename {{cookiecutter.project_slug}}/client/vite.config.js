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
      '/ws': { target: 'ws://localhost:{{ cookiecutter.port }}', ws: true },
      '/api': 'http://localhost:{{ cookiecutter.port }}',
      '/login': 'http://localhost:{{ cookiecutter.port }}',
      '/logout': 'http://localhost:{{ cookiecutter.port }}',
    },
  },
  // vitest: `inv test-client` (npm test)
  test: {
    environment: 'happy-dom',
    include: ['tests/**/*.test.js'],
    restoreMocks: true,
  },
})
