;;; eglot_test.el --- Emacs 28 + eglot (Debian's elpa-eglot) against `qbank lsp'  -*- lexical-binding: t; -*-
;;
;; Run by tests/editors/run.sh:
;;   emacs -Q --batch -l tests/editors/eglot_test.el
;; Environment: QBANK_TEST_WORKSPACE (a scratch folder for the note).
;; `qbank' must be on PATH. The set-up below is the README's eglot snippet.
;; Prints one line per check and "N passed, N failed"; exits 1 on a failure.

;; -Q skips Debian's start-up files, which put the elpa packages on the path.
(dolist (dir (file-expand-wildcards "/usr/share/emacs/site-lisp/elpa/*"))
  (add-to-list 'load-path dir))
(require 'eglot)
(require 'cl-lib)

;; The real markdown-mode (Debian's elpa-markdown-mode, which run.sh
;; installs): Emacs 28 has none of its own. Loading it puts `.md' files in
;; markdown-mode, as its autoloads do in a normal start-up.
(require 'markdown-mode)

;; --- the README snippet -------------------------------------------------
(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs '(markdown-mode . ("qbank" "lsp"))))
(add-hook 'markdown-mode-hook #'eglot-ensure)
;; The README's way to pass settings:
(setq-default eglot-workspace-configuration '(:qbank (:banks ["team/sre.md"])))
;; ------------------------------------------------------------------------

(defvar qbank-test-passed 0)
(defvar qbank-test-failed 0)

(defmacro qbank-test (name &rest body)
  (declare (indent 1))
  `(condition-case err
       (progn ,@body
              (setq qbank-test-passed (1+ qbank-test-passed))
              (princ (format "ok   eglot: %s\n" ,name)))
     (error
      (setq qbank-test-failed (1+ qbank-test-failed))
      (princ (format "FAIL eglot: %s: %s\n" ,name (error-message-string err))))))

(defun qbank-test-wait (what predicate &optional seconds)
  (let ((deadline (+ (float-time) (or seconds 10))))
    (while (and (not (funcall predicate)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (unless (funcall predicate)
      (error "timed out waiting for %s" what))))

(defun qbank-test-goto (text &optional offset)
  (goto-char (point-min))
  (unless (search-forward text nil t)
    (error "no %S in the note" text))
  (goto-char (+ (match-beginning 0) (or offset 0))))

(let* ((workspace (or (getenv "QBANK_TEST_WORKSPACE") (error "QBANK_TEST_WORKSPACE is not set")))
       (note (expand-file-name "note.md" workspace)))
  (with-temp-file (expand-file-name ".qbank.toml" workspace))
  (make-directory (expand-file-name "team" workspace) t)
  (with-temp-file (expand-file-name "team/sre.md" workspace)
    (insert "---\nprefix: SRE\n---\n## Reliability\n1. What is an error budget, and how do you spend it?\n"))
  (with-temp-file note
    (insert "# Notes\n\nBE-23 is about transactions; SRE-1 is the team's.\n\nSearch @cach\n"))
  (find-file note)
  ;; eglot-ensure waits for the first command to finish; batch has none.
  (run-hooks 'post-command-hook)

  (qbank-test "the note is in the real markdown-mode"
    (unless (eq major-mode 'markdown-mode) (error "major mode is %s" major-mode))
    (unless (string-match-p "/markdown-mode-[0-9.]+/" (or (locate-library "markdown-mode") ""))
      (error "markdown-mode comes from %S, not the elpa-markdown-mode package" (locate-library "markdown-mode"))))

  (qbank-test "eglot connects to qbank"
    (qbank-test-wait "the eglot server" (lambda () (eglot-current-server)))
    (let ((server (eglot-current-server)))
      (unless (equal (plist-get (eglot--server-info server) :name) "qbank")
        (error "server info: %S" (eglot--server-info server)))
      (unless (eglot--server-capable :hoverProvider) (error "no hover capability"))
      (unless (eglot--server-capable :completionProvider) (error "no completion capability"))))

  (qbank-test "hover on BE-23 shows the question (through eldoc)"
    (qbank-test-goto "BE-23 is" 1)
    (let (hover)
      (unless (eglot-hover-eldoc-function (lambda (info &rest _) (setq hover (or info ""))))
        (error "eglot has no hover for this buffer"))
      (qbank-test-wait "the hover" (lambda () hover))
      (unless (string-match-p (regexp-quote "What is ACID compliance, and why is it important in databases?") hover)
        (error "hover is %S" hover))))

  (qbank-test "the settings reach the server (the team bank hovers)"
    (qbank-test-goto "SRE-1" 1)
    (let (hover answered)
      (qbank-test-wait "a hover naming the error budget"
                       (lambda ()
                         (when (and answered (not (string-match-p "error budget" hover)))
                           (setq answered nil hover nil))
                         (unless (or hover answered)
                           (setq answered 'asked)
                           (eglot-hover-eldoc-function (lambda (info &rest _) (setq hover (or info "")))))
                         (and hover (string-match-p "error budget" hover))))))

  (qbank-test "completion after @cach offers caching questions"
    (qbank-test-goto "@cach" 5)
    (let* ((capf (or (eglot-completion-at-point) (error "no completion at point")))
           (table (nth 2 capf))
           (candidates (all-completions "" table))
           (caching (cl-remove-if-not
                     (lambda (candidate)
                       (let ((item (get-text-property 0 'eglot--lsp-item candidate)))
                         (string-match-p "cach" (downcase (format "%s %s" (plist-get item :label)
                                                                  (or (plist-get item :detail) ""))))))
                     candidates)))
      (when (< (length caching) 2)
        (error "caching candidates: %S of %S" caching candidates))
      ;; Accept the first one as `completion-at-point' would: the proxy text
      ;; goes in, then eglot applies the item's textEdit.
      (let* ((candidate (car caching))
             (exit (plist-get (nthcdr 3 capf) :exit-function))
             (item (get-text-property 0 'eglot--lsp-item candidate))
             (key (and (string-match "\\b[A-Z][A-Z0-9]*-[0-9]+\\b" (format "%s %s" (plist-get item :label) (or (plist-get item :insertText) "")))
                       (match-string 0 (format "%s %s" (plist-get item :label) (or (plist-get item :insertText) ""))))))
        (delete-region (nth 0 capf) (nth 1 capf))
        (insert candidate)
        (funcall exit candidate 'finished)
        (let ((line (buffer-substring (line-beginning-position) (line-end-position))))
          (when (string-match-p "@" line) (error "the trigger is left: %S" line))
          (unless (and key (string-match-p (regexp-quote key) line))
            (error "line after completion: %S (item %S)" line item))))))

  (let ((server (eglot-current-server)))
    (when server (ignore-errors (eglot-shutdown server))))
  (princ (format "eglot: %d passed, %d failed\n" qbank-test-passed qbank-test-failed))
  (kill-emacs (if (or (> qbank-test-failed 0) (= qbank-test-passed 0)) 1 0)))
