// Flat config in the spirit of actions/typescript-action: recommended JS + TS rules,
// with type-aware checks kept cheap (no project service) so lint stays fast on 2 cores.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import globals from 'globals'

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'build/**',
      '.cluster/**',
      'coverage/**',
      '.tmp/**',
      '.bench/**'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off'
    }
  },
  {
    files: ['src/{inventory,playbook,executor,template,modules,connection,report}/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@actions/*'],
              message: 'Only src/action/ may import @actions/* (layers stay pure).'
            }
          ]
        }
      ]
    }
  }
)
