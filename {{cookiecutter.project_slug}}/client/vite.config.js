import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// Rendered by Cookiecutter: the two template expressions below become the
// Python package's static directory and the Tornado port.
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
    proxy: {
      '/ws': { target: 'ws://localhost:{{ cookiecutter.port }}', ws: true },
    },
  },
})
